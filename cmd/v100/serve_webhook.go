package main

import (
	"flag"
	"strings"

	"github.com/v100video/v100/internal/platform/webhook"
)

// listFlag is a repeatable flag whose values may also be comma lists.
type listFlag struct{ vals *[]string }

func (l listFlag) String() string {
	if l.vals == nil {
		return ""
	}
	return strings.Join(*l.vals, ",")
}

func (l listFlag) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l.vals = append(*l.vals, s)
		}
	}
	return nil
}

// webhookFlags defines the webhook flags of serve into s.
func webhookFlags(fs *flag.FlagSet, s *webhook.Sender) {
	fs.Var(listFlag{&s.URLs}, "webhook-url", "`URL` to post video.ready and video.failed events to (repeatable, or a comma list)")
	fs.Func("webhook-secret", "`secret` signing webhook events (default: generated and kept in the data directory's "+"webhook.secret)", func(v string) error {
		s.Secret = []byte(v)
		return nil
	})
	fs.DurationVar(&s.Timeout, "webhook-timeout", webhook.DefaultTimeout, "bound of one webhook delivery attempt")
	fs.IntVar(&s.Attempts, "webhook-attempts", webhook.DefaultAttempts, "delivery attempts of a webhook event")
	fs.DurationVar(&s.Backoff, "webhook-backoff", webhook.DefaultBackoff, "wait before the second attempt, doubled for each later one, with jitter")
}
