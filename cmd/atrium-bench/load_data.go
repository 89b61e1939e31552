package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/atrium-intranet/atrium/internal/benchdata"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/storage"
	"github.com/oklog/ulid/v2"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/driver/pgdriver"
)

// nodeDB is the database a node under load runs on.
type nodeDB struct {
	databaseURL string // PostgreSQL; "" for SQLite in dataDir
	dataDir     string // the node's data directory (atrium.db for SQLite, avatars)
}

// loadData is a working copy of a benchdata set, prepared for the load users.
type loadData struct {
	db      nodeDB
	set     *benchdata.Set
	tokens  []string // one per load user, in order
	cleanup func()
}

// dataOptions say which set to copy and how many users to prepare.
type dataOptions struct {
	dialect  string
	posts    int
	users    int
	pgAdmin  string // PostgreSQL URL with the right to create databases
	inPlace  bool   // run on the cached set itself (its posts grow with each run)
	workDir  string // holds the SQLite copy and the node's files
	progress io.Writer
}

// Follows given to each load user that follows fewer accounts: a member of an intranet
// follows some colleagues, and the home timeline is the Following feed.
const (
	minFollows = 20
	maxFollows = 60
)

// prepareData opens (seeding on first use) the benchdata set, copies it so that the
// run's writes do not change the cache, and gives the first users follows and API tokens.
func prepareData(ctx context.Context, o dataOptions) (*loadData, error) {
	logf := func(format string, args ...any) { fmt.Fprintf(o.progress, format+"\n", args...) }
	store, set, err := benchdata.Open(ctx, benchdata.Options{Posts: o.posts, Dialect: o.dialect, PostgresURL: o.pgAdmin, Logf: logf})
	if err != nil {
		return nil, err
	}
	store.Close()
	if o.users > len(set.Accounts)-1 {
		return nil, fmt.Errorf("%d users asked for, the data set has %d accounts", o.users, len(set.Accounts)-1)
	}
	d := &loadData{set: set, cleanup: func() {}}
	d.db.dataDir = filepath.Join(o.workDir, o.dialect)
	if err := os.MkdirAll(d.db.dataDir, 0o750); err != nil {
		return nil, err
	}
	start := time.Now()
	switch {
	case o.inPlace && o.dialect == "sqlite":
		err = os.Symlink(set.SQLitePath, filepath.Join(d.db.dataDir, "atrium.db"))
	case o.inPlace:
		d.db.databaseURL = set.DatabaseURL
	case o.dialect == "sqlite":
		err = copyFile(set.SQLitePath, filepath.Join(d.db.dataDir, "atrium.db"))
	default:
		d.db.databaseURL, d.cleanup, err = copyPostgres(ctx, o.pgAdmin, set.Name)
	}
	if err != nil {
		return nil, fmt.Errorf("copy of %s: %w", set.Name, err)
	}
	if !o.inPlace {
		logf("load: copied %s in %s", set.Name, time.Since(start).Round(100*time.Millisecond))
	}
	db, err := storage.Open(d.db.databaseURL, filepath.Join(d.db.dataDir, "atrium.db"))
	if err != nil {
		d.cleanup()
		return nil, err
	}
	defer db.Close()
	ids := loadUserIDs(set, o.users)
	if err := addFollows(ctx, db, set, ids); err != nil {
		d.cleanup()
		return nil, err
	}
	d.tokens, err = benchdata.InsertTokens(ctx, storage.New(db), ids)
	if err != nil {
		d.cleanup()
		return nil, err
	}
	// The copy leaves a gigabyte or two of dirty pages that the kernel would write back
	// during the first minute of the run, showing as latency spikes of the node: write
	// them now. PostgreSQL first writes its own buffers (CHECKPOINT needs a superuser;
	// without one the kernel's flush still does most).
	start = time.Now()
	if o.dialect == "postgres" {
		if _, err := db.ExecContext(ctx, "CHECKPOINT"); err != nil {
			logf("load: CHECKPOINT: %v", err)
		}
	}
	syscall.Sync()
	logf("load: wrote the copy to disk in %s", time.Since(start).Round(100*time.Millisecond))
	return d, nil
}

// loadUserIDs are the accounts the users act as: the viewer with 50 follows first, then
// the others in order.
func loadUserIDs(set *benchdata.Set, n int) []string {
	ids := []string{set.ViewerID}
	for _, a := range set.Accounts {
		if len(ids) == n {
			break
		}
		if a.ID != set.ViewerID {
			ids = append(ids, a.ID)
		}
	}
	return ids[:n]
}

// addFollows makes every load user who follows fewer than minFollows accounts follow
// 20–60 random accounts of the set (accepted, fixed seed).
func addFollows(ctx context.Context, db *bun.DB, set *benchdata.Set, ids []string) error {
	rng := rand.New(rand.NewPCG(8, 2026))
	uris := model.NewURIs(benchdata.BaseURL)
	user := map[string]string{}
	for _, a := range set.Accounts {
		user[a.ID] = a.Username
	}
	now := time.Now().UTC()
	var rows []model.Follow
	for _, id := range ids {
		n, err := db.NewSelect().Model((*model.Follow)(nil)).Where("follower_id = ?", id).Count(ctx)
		if err != nil {
			return err
		}
		if n >= minFollows {
			continue
		}
		want := minFollows + rng.IntN(maxFollows-minFollows+1)
		picked := map[string]bool{id: true}
		for len(picked) < want+1 {
			f := set.Accounts[rng.IntN(len(set.Accounts))].ID
			if picked[f] {
				continue
			}
			picked[f] = true
			rows = append(rows, model.Follow{FollowerID: id, FolloweeID: f, Accepted: true, CreatedAt: now,
				URI: uris.Follow(user[id], ulid.Make().String())})
		}
	}
	if len(rows) == 0 {
		return nil
	}
	_, err := db.NewInsert().Model(&rows).On("CONFLICT DO NOTHING").Exec(ctx)
	if err != nil {
		return fmt.Errorf("follows of the load users: %w", err)
	}
	return nil
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// copyPostgres creates a database from the set's as a template (a file copy) and
// returns its URL and a function that drops it.
func copyPostgres(ctx context.Context, adminURL, name string) (string, func(), error) {
	admin := sql.OpenDB(pgdriver.NewConnector(pgdriver.WithDSN(adminURL), pgdriver.WithTimeout(10*time.Minute)))
	copyName := fmt.Sprintf("atrium_load_%d", os.Getpid())
	if _, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+copyName); err != nil {
		admin.Close()
		return "", nil, err
	}
	// FILE_COPY copies the files after a checkpoint; the default (WAL_LOG) writes every
	// block to the WAL, much slower for a set of gigabytes.
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+copyName+" TEMPLATE "+name+" STRATEGY FILE_COPY"); err != nil {
		admin.Close()
		return "", nil, fmt.Errorf("%w (a template must have no other connections: is a benchmark using the set? --in-place runs on the set itself)", err)
	}
	u, err := url.Parse(adminURL)
	if err != nil {
		admin.Close()
		return "", nil, err
	}
	u.Path = "/" + copyName
	q := u.Query()
	q.Del("search_path")
	u.RawQuery = q.Encode()
	drop := func() {
		if _, err := admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+copyName); err != nil {
			fmt.Fprintln(os.Stderr, "load: drop", copyName+":", err)
		}
		admin.Close()
	}
	return u.String(), drop, nil
}
