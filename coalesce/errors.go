package coalesce

import (
	"errors"
	"fmt"
)

// ErrGoexit is returned to the callers of an execution whose function called
// [runtime.Goexit].
var ErrGoexit = errors.New("coalesce: function called runtime.Goexit")

// PanicError is the value re-panicked in every caller of an execution whose
// function panicked.
type PanicError struct {
	// Value is what the function panicked with.
	Value any
	// Stack is the stack of the goroutine that panicked.
	Stack []byte
}

func (p *PanicError) Error() string {
	return fmt.Sprintf("coalesce: function panicked: %v\n\n%s", p.Value, p.Stack)
}

// Unwrap returns the panic value if it is an error.
func (p *PanicError) Unwrap() error {
	err, _ := p.Value.(error)
	return err
}
