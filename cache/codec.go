package cache

import (
	"bytes"
	"encoding/json"
)

// Codec encodes values for an L2 store. Unmarshal receives a pointer to a
// value of the cache's value type.
type Codec interface {
	Marshal(v any) ([]byte, error)
	Unmarshal(data []byte, v any) error
}

// defaultCodec stores []byte and string as they are and anything else as
// JSON.
type defaultCodec struct{}

func (defaultCodec) Marshal(v any) ([]byte, error) {
	switch v := v.(type) {
	case []byte:
		return v, nil
	case string:
		return []byte(v), nil
	}
	return json.Marshal(v)
}

func (defaultCodec) Unmarshal(data []byte, v any) error {
	switch v := v.(type) {
	case *[]byte:
		*v = bytes.Clone(data)
		return nil
	case *string:
		*v = string(data)
		return nil
	}
	return json.Unmarshal(data, v)
}
