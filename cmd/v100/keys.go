package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/v100video/v100/internal/platform"
)

func runKeys(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("keys", "create [-data dir] [-db url]", stderr)
	data := fs.String("data", "./data", "data `directory` of the server")
	db := fs.String("db", "", "`URL` of the server's PostgreSQL database, postgres://… (default: $V100_DB, else the data directory's SQLite)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || pos[0] != "create" {
		return usageError("keys: want \"v100 keys create\"")
	}
	if *db == "" {
		*db = os.Getenv("V100_DB") // after parsing, so that -h does not show a password
	}
	st, err := platform.OpenStore(ctx, *data, *db)
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
