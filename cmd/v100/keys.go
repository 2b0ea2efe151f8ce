package main

import (
	"context"
	"fmt"
	"io"

	"github.com/v100video/v100/internal/platform"
)

func runKeys(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("keys", "create [-data dir]", stderr)
	data := fs.String("data", "./data", "data `directory` of the server")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || pos[0] != "create" {
		return usageError("keys: want \"v100 keys create\"")
	}
	st, err := platform.OpenStore(ctx, *data)
	if err != nil {
		return err
	}
	defer st.Close()
	key, err := st.CreateKey(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, key)
	fmt.Fprintln(stderr, "v100: keep this API key; it is stored hashed and cannot be shown again. Use it as \"Authorization: Bearer <key>\".")
	return nil
}
