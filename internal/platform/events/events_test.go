package events

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/v100video/v100/internal/platform/store"
)

func TestSlowSubscriberKeepsFinal(t *testing.T) {
	b := &Broker{Buffer: 4}
	s := b.Subscribe("a")
	defer s.Close()
	other := b.Subscribe("b")
	defer other.Close()
	for i := range 100 {
		b.Publish(Event{Asset: "a", Status: store.Processing, Progress: float64(i)})
	}
	b.Publish(Event{Asset: "a", Status: store.Ready, Progress: 100})
	b.Publish(Event{Asset: "nobody", Status: store.Ready})
	<-s.C
	got := s.Take()
	require.Len(t, got, 5, "4 queued and the final")
	require.Equal(t, 0.0, got[0].Progress)
	require.Equal(t, 99.0, got[3].Progress, "the newest progress replaces dropped ones")
	require.Equal(t, store.Ready, got[4].Status)
	require.Empty(t, s.Take())
	require.Empty(t, other.Take())
}

func TestNilBroker(t *testing.T) {
	var b *Broker
	b.Publish(Event{Asset: "a"}) // no panic
}
