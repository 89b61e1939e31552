package faults

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/atrium-intranet/atrium/storage"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/driver/pgdriver"
)

// nodeDB is where one node keeps its data: a data directory, and a PostgreSQL schema
// when url is set (SQLite in the directory otherwise).
type nodeDB struct {
	dir  string
	url  string
	drop func()
}

// newNodeDB prepares a database for a node on dialect; PostgreSQL gets a fresh schema
// on server, dropped by close.
func newNodeDB(ctx context.Context, dialect, server, dir string) (*nodeDB, error) {
	db := &nodeDB{dir: dir, drop: func() {}}
	if dialect == "sqlite" {
		return db, nil
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "faults_" + hex.EncodeToString(b[:])
	admin := sql.OpenDB(pgdriver.NewConnector(pgdriver.WithDSN(server), pgdriver.WithTimeout(10*time.Second)))
	defer admin.Close()
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		return nil, fmt.Errorf("create schema on %s: %w", server, err)
	}
	db.drop = func() {
		drop := sql.OpenDB(pgdriver.NewConnector(pgdriver.WithDSN(server), pgdriver.WithTimeout(10*time.Second)))
		defer drop.Close()
		_, _ = drop.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
	}
	sep := "?"
	if strings.Contains(server, "?") {
		sep = "&"
	}
	db.url = server + sep + "search_path=" + schema
	return db, nil
}

// open connects to the node's database from outside the node.
func (d *nodeDB) open() (*bun.DB, error) {
	return storage.Open(d.url, filepath.Join(d.dir, "atrium.db"))
}

func (d *nodeDB) close() { d.drop() }
