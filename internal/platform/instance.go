package platform

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/v100video/v100/internal/platform/store"
)

// InstanceName is the file of the data directory that names the server
// among those sharing a PostgreSQL database.
const InstanceName = "instance.id"

// instanceID returns the ID kept in the data directory dir, made at the
// first start. The directory's lock makes one process at a time its owner,
// so jobs that an earlier run with this ID left running are orphans.
func instanceID(dir string) (string, error) {
	path := filepath.Join(dir, InstanceName)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		id := store.NewID()
		if err := os.WriteFile(path, []byte(id+"\n"), 0o644); err != nil {
			return "", fmt.Errorf("platform: instance id: %w", err)
		}
		return id, nil
	}
	if err != nil {
		return "", fmt.Errorf("platform: instance id: %w", err)
	}
	id := strings.TrimSpace(string(b))
	if !store.ValidID(id) {
		return "", fmt.Errorf("platform: instance id %s: not an ID", path)
	}
	return id, nil
}

// jobQueue is the River queue of this server's processing jobs: River's
// default on the data directory's own SQLite database; on a database that
// servers share, a queue of this instance's, because the sources are in
// its data directory (media storage is local).
func jobQueue(db, instance string) string {
	if db == "" {
		return ""
	}
	return "local_" + instance
}
