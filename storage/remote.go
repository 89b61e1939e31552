package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/atrium-intranet/atrium/model"
	"github.com/uptrace/bun"
)

// AccountByURI returns the account, local or remote, whose actor id is uri.
func (s *Store) AccountByURI(ctx context.Context, uri string) (*model.Account, error) {
	a := new(model.Account)
	if err := s.db.NewSelect().Model(a).Where("uri = ?", uri).Scan(ctx); err != nil {
		return nil, notFound(err, "account "+uri)
	}
	return a, nil
}

// AccountByKeyID returns the account whose key is keyID (actor id + "#main-key"): the
// account of the key id without its fragment.
func (s *Store) AccountByKeyID(ctx context.Context, keyID string) (*model.Account, error) {
	actor, _, _ := strings.Cut(keyID, "#")
	return s.AccountByURI(ctx, actor)
}

// AccountsByURIs returns the accounts with the given actor ids, keyed by URI.
func (s *Store) AccountsByURIs(ctx context.Context, uris []string) (map[string]*model.Account, error) {
	out := make(map[string]*model.Account, len(uris))
	if len(uris) == 0 {
		return out, nil
	}
	var list []*model.Account
	if err := s.db.NewSelect().Model(&list).Where("uri IN (?)", bun.In(uris)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("accounts by uris: %w", err)
	}
	for _, a := range list {
		out[a.URI] = a
	}
	return out, nil
}

// remoteColumns are what a fetched actor document may change on a cached account.
var remoteColumns = []string{"username", "domain", "inbox_uri", "shared_inbox_uri", "followers_uri",
	"fetched_at", "role", "display_name", "job_title", "department", "site", "manager_id",
	"about_html", "public_key_pem", "expires_at", "updated_at"}

// UpsertRemoteAccount inserts a cached remote actor or updates the one with the same URI,
// and sets a.ID to the stored row's id. It never touches a local account: an actor id
// that belongs to a local account, or a Domain of "", is ErrConflict.
//
// Several inbox requests of a node seen for the first time fetch its actor at once and
// store it concurrently. On PostgreSQL, ON CONFLICT (uri) covers only the uri index: the
// insert that loses the race may trip over the (username, domain) index first and fail
// with a unique violation, or two of them deadlock, although the same actor is (about to
// be) stored. Outside a transaction the upsert is then tried again, a few times, and
// finds the row by its uri; one that still fails is a real conflict (another actor with
// that username on that node), ErrConflict. Inside a transaction (which PostgreSQL has
// aborted) the error is ErrConcurrentWrite, for the caller to run it again.
func (s *Store) UpsertRemoteAccount(ctx context.Context, a *model.Account) error {
	if s.afterCommit != nil {
		return s.upsertRemoteAccount(ctx, a)
	}
	err := s.upsertRemoteAccount(ctx, a)
	for try := 1; try < 4 && errors.Is(err, ErrConcurrentWrite); try++ {
		err = s.upsertRemoteAccount(ctx, a)
	}
	return Lasting(err)
}

// Lasting turns an ErrConcurrentWrite that retries did not clear into ErrConflict: what
// keeps failing is a real conflict, not a race. Callers that retry a transaction
// themselves apply it to their last error.
func Lasting(err error) error {
	if errors.Is(err, ErrConcurrentWrite) {
		return fmt.Errorf("%w (%v)", ErrConflict, err)
	}
	return err
}

func (s *Store) upsertRemoteAccount(ctx context.Context, a *model.Account) error {
	if a.Domain == "" || a.URI == "" {
		return fmt.Errorf("upsert remote account %q: not remote: %w", a.URI, ErrConflict)
	}
	q := s.db.NewInsert().Model(a).On("CONFLICT (uri) DO UPDATE")
	for _, c := range remoteColumns {
		q = q.Set("? = EXCLUDED.?", bun.Ident(c), bun.Ident(c))
	}
	// The WHERE makes the update a no-op on local rows, so RETURNING yields nothing.
	var id string
	err := q.Where("account.domain <> ''").Returning("id").Scan(ctx, &id)
	if err != nil {
		if isUniqueViolation(err) || isDeadlock(err) {
			return fmt.Errorf("upsert remote account %s: %w", a.URI, ErrConcurrentWrite)
		}
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("upsert remote account %s: local account: %w", a.URI, ErrConflict)
		}
		return fmt.Errorf("upsert remote account %s: %w", a.URI, err)
	}
	a.ID = id
	s.invalidateAccounts()
	return nil
}

// PostByURI returns the post, local or remote, whose object id is uri.
func (s *Store) PostByURI(ctx context.Context, uri string) (*model.Post, error) {
	p := new(model.Post)
	if err := s.db.NewSelect().Model(p).Where("uri = ?", uri).Scan(ctx); err != nil {
		return nil, notFound(err, "post "+uri)
	}
	return p, nil
}

// MarkProcessed records an incoming activity id and reports whether it was new. Called in
// the transaction of the activity's effect, a crash before commit leaves the activity
// unprocessed, so its resend is applied; a replay after commit finds it and changes nothing.
func (s *Store) MarkProcessed(ctx context.Context, activityURI string, now time.Time) (bool, error) {
	res, err := s.db.NewInsert().Model(&model.ProcessedActivity{URI: activityURI, ReceivedAt: now}).
		On("CONFLICT (uri) DO NOTHING").Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("mark activity processed: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("mark activity processed: %w", err)
	}
	return n == 1, nil
}

// FollowByURI returns the follow relation whose Follow activity id is uri.
func (s *Store) FollowByURI(ctx context.Context, uri string) (*model.Follow, error) {
	f := new(model.Follow)
	if err := s.db.NewSelect().Model(f).Where("uri = ?", uri).Limit(1).Scan(ctx); err != nil {
		return nil, notFound(err, "follow "+uri)
	}
	return f, nil
}

// DeleteFollowByURI removes the follow relation whose Follow activity id is uri and
// reports whether there was one.
func (s *Store) DeleteFollowByURI(ctx context.Context, uri string) (bool, error) {
	res, err := s.db.NewDelete().Model((*model.Follow)(nil)).Where("uri = ?", uri).Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("delete follow %s: %w", uri, err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// SaveFollow stores a follow relation, or replaces the URI and state of the existing one
// between the same accounts (a remote node following again after a lost Undo).
func (s *Store) SaveFollow(ctx context.Context, f *model.Follow) error {
	_, err := s.db.NewInsert().Model(f).On("CONFLICT (follower_id, followee_id) DO UPDATE").
		Set("uri = EXCLUDED.uri").Set("accepted = EXCLUDED.accepted").Exec(ctx)
	if err != nil {
		return fmt.Errorf("save follow: %w", err)
	}
	return nil
}

// AcceptFollow marks the follow of follower to followee accepted.
func (s *Store) AcceptFollow(ctx context.Context, followerID, followeeID string) error {
	_, err := s.db.NewUpdate().Model((*model.Follow)(nil)).Set("accepted = ?", true).
		Where("follower_id = ? AND followee_id = ?", followerID, followeeID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("accept follow: %w", err)
	}
	return nil
}

// HasLocalFollower reports whether some local account follows accountID (accepted).
// Like HasFollowerOnDomain it counts only active followers that are not guests: those
// are who a followers post is for.
func (s *Store) HasLocalFollower(ctx context.Context, accountID string) (bool, error) {
	return s.hasFollowerOn(ctx, accountID, "")
}

// HasFollowerOnDomain reports whether an account of the node at domain (host:port) has
// an accepted follow of accountID.
func (s *Store) HasFollowerOnDomain(ctx context.Context, accountID, domain string) (bool, error) {
	if domain == "" {
		return false, nil
	}
	return s.hasFollowerOn(ctx, accountID, domain)
}

func (s *Store) hasFollowerOn(ctx context.Context, accountID, domain string) (bool, error) {
	ok, err := s.db.NewSelect().TableExpr("follows AS f").Join("JOIN accounts AS a ON a.id = f.follower_id").
		Where("f.followee_id = ? AND f.accepted AND a.domain = ?", accountID, domain).
		Where("a.role <> ? AND a.deactivated_at IS NULL", model.RoleGuest).Exists(ctx)
	if err != nil {
		return false, fmt.Errorf("followers of %s on %q: %w", accountID, domain, err)
	}
	return ok, nil
}

// ReactionByURI returns the reaction whose Like/EmojiReact activity id is uri.
func (s *Store) ReactionByURI(ctx context.Context, uri string) (*model.Reaction, error) {
	r := new(model.Reaction)
	if err := s.db.NewSelect().Model(r).Where("uri = ?", uri).Limit(1).Scan(ctx); err != nil {
		return nil, notFound(err, "reaction "+uri)
	}
	return r, nil
}

// SaveReaction stores a reaction, or gives an existing one (same post, account and kind)
// the new activity id, so a later Undo of either finds it.
func (s *Store) SaveReaction(ctx context.Context, r *model.Reaction) error {
	_, err := s.db.NewInsert().Model(r).On("CONFLICT (post_id, account_id, kind) DO UPDATE").
		Set("uri = EXCLUDED.uri").Exec(ctx)
	if err != nil {
		return fmt.Errorf("save reaction: %w", err)
	}
	return nil
}

// Usage is what NodeInfo reports about the node.
type Usage struct {
	// Users counts active local accounts.
	Users int
	// Posts counts local top-level posts; Comments local comments.
	Posts, Comments int
}

// NodeUsage counts the node's own users and posts.
func (s *Store) NodeUsage(ctx context.Context) (Usage, error) {
	users, err := s.db.NewSelect().Model((*model.Account)(nil)).Where("domain = '' AND deactivated_at IS NULL").Count(ctx)
	if err != nil {
		return Usage{}, fmt.Errorf("count users: %w", err)
	}
	posts, err := s.db.NewSelect().Model((*model.Post)(nil)).Where("local AND in_reply_to_id IS NULL").Count(ctx)
	if err != nil {
		return Usage{}, fmt.Errorf("count posts: %w", err)
	}
	comments, err := s.db.NewSelect().Model((*model.Post)(nil)).Where("local AND in_reply_to_id IS NOT NULL").Count(ctx)
	if err != nil {
		return Usage{}, fmt.Errorf("count comments: %w", err)
	}
	return Usage{Users: int(users), Posts: int(posts), Comments: int(comments)}, nil
}

// DeleteProcessedBefore forgets incoming activity ids received before t.
func (s *Store) DeleteProcessedBefore(ctx context.Context, t time.Time) (int64, error) {
	res, err := s.db.NewDelete().Model((*model.ProcessedActivity)(nil)).Where("received_at < ?", t).Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("delete processed activities: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}
