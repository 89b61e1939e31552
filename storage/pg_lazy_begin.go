package storage

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"

	"github.com/uptrace/bun/driver/pgdriver"
)

// lazyBeginConnector opens PostgreSQL connections whose transactions send BEGIN together
// with their first statement, as one simple-protocol query ("BEGIN; <statement>"),
// instead of as a round trip of its own: one message exchange fewer per transaction,
// which on a busy node is a context switch fewer on both sides. PostgreSQL takes a
// read-committed transaction's snapshot per statement anyway, so starting it with the
// first statement changes nothing; a transaction that sends no statement sends nothing.
type lazyBeginConnector struct{ *pgdriver.Connector }

// Connect opens a connection with lazy transaction start.
func (c lazyBeginConnector) Connect(ctx context.Context) (driver.Conn, error) {
	cn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	pc, ok := cn.(*pgdriver.Conn)
	if !ok {
		return nil, fmt.Errorf("pgdriver connection of type %T", cn)
	}
	return &lazyBeginConn{Conn: pc}, nil
}

// lazyBeginConn is a pgdriver connection whose BEGIN waits for the first statement.
// database/sql uses a connection from one goroutine at a time, so pending needs no lock.
type lazyBeginConn struct {
	*pgdriver.Conn
	// pending is set between BeginTx and the transaction's first statement.
	pending bool
}

var (
	_ driver.ConnBeginTx        = (*lazyBeginConn)(nil)
	_ driver.ExecerContext      = (*lazyBeginConn)(nil)
	_ driver.QueryerContext     = (*lazyBeginConn)(nil)
	_ driver.ConnPrepareContext = (*lazyBeginConn)(nil)
	_ driver.SessionResetter    = (*lazyBeginConn)(nil)
	_ driver.Validator          = (*lazyBeginConn)(nil)
	_ driver.Pinger             = (*lazyBeginConn)(nil)
)

// Begin starts a transaction lazily.
func (c *lazyBeginConn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

// BeginTx starts a default transaction lazily; other isolation levels or read-only
// transactions start at once, as pgdriver does it.
func (c *lazyBeginConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if sql.IsolationLevel(opts.Isolation) != sql.LevelDefault || opts.ReadOnly || c.pending {
		return c.Conn.BeginTx(ctx, opts)
	}
	c.pending = true
	return lazyTx{c: c}, nil
}

// withBegin returns query prefixed with the pending BEGIN, if any, and clears it.
func (c *lazyBeginConn) withBegin(query string) string {
	if !c.pending {
		return query
	}
	c.pending = false
	return "BEGIN; " + query
}

// ExecContext runs query, starting the pending transaction with it.
func (c *lazyBeginConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	return c.Conn.ExecContext(ctx, c.withBegin(query), args)
}

// QueryContext runs query, starting the pending transaction with it.
func (c *lazyBeginConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	return c.Conn.QueryContext(ctx, c.withBegin(query), args)
}

// PrepareContext starts the pending transaction on its own, then prepares query: a
// prepared statement is a different protocol exchange that cannot carry the BEGIN.
func (c *lazyBeginConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	if err := c.flushBegin(ctx); err != nil {
		return nil, err
	}
	return c.Conn.PrepareContext(ctx, query)
}

// Prepare is PrepareContext without a context.
func (c *lazyBeginConn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

// flushBegin sends the pending BEGIN alone.
func (c *lazyBeginConn) flushBegin(ctx context.Context) error {
	if !c.pending {
		return nil
	}
	c.pending = false
	_, err := c.Conn.ExecContext(ctx, "BEGIN", nil)
	return err
}

// ResetSession drops a BEGIN left pending, before the pool hands the connection on.
func (c *lazyBeginConn) ResetSession(ctx context.Context) error {
	c.pending = false
	return c.Conn.ResetSession(ctx)
}

// lazyTx ends a lazily started transaction: when no statement was sent, there is
// nothing on the server to commit or roll back.
type lazyTx struct{ c *lazyBeginConn }

// Commit commits the transaction if it started.
func (t lazyTx) Commit() error { return t.end("COMMIT") }

// Rollback rolls the transaction back if it started.
func (t lazyTx) Rollback() error { return t.end("ROLLBACK") }

func (t lazyTx) end(command string) error {
	if t.c.pending {
		t.c.pending = false
		return nil
	}
	_, err := t.c.Conn.ExecContext(context.Background(), command, nil)
	return err
}
