package social

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/storage"
)

// Remote applies what other nodes send: actors, follows, posts and reactions. Each method
// takes an actor federation has already verified as the signer and plain values, applies
// the same rules as for local input, and records the activity id in the same transaction
// as the effect, so an activity changes things at most once.
type Remote struct{ *core }

// ErrDuplicate means the activity was applied before; nothing changed.
var ErrDuplicate = errors.New("activity already processed")

// Incoming is who sent an activity, as federation verified it.
type Incoming struct {
	// ActivityID is the activity's id; each id is applied at most once.
	ActivityID string
	// Actor is the remote account that signed and sent the activity.
	Actor *model.Account
	// Trust is the trust of the actor's node.
	Trust model.Trust
}

// ActorInput is a remote actor document in plain terms.
type ActorInput struct {
	// Account holds Username, Domain, URI, inboxes, FollowersURI, Role, DisplayName,
	// JobTitle, Department, Site and PublicKeyPEM as the document states them.
	Account model.Account
	// SummaryHTML is the profile text as received, unsanitized.
	SummaryHTML string
	// ManagerURI is the actor id of the manager; empty for none.
	ManagerURI string
	// Skills are the person's skills as stated; nil leaves the cached ones as they are.
	Skills []string
	// ProfileWithheld says the actor's node gave its key but not its profile: this
	// node's users may not see the person (see ProfileWithheld).
	ProfileWithheld bool
}

// RemotePost is a remote Note in plain terms.
type RemotePost struct {
	URI      string
	Audience model.Audience
	// HTML is the content as received, unsanitized.
	HTML   string
	Source string
	// CreatedAt is the published time; EditedAt the updated time, nil if never edited.
	CreatedAt time.Time
	EditedAt  *time.Time
	// InReplyToURI is the parent's id; empty for top-level posts.
	InReplyToURI string
	// MentionURIs are the actor ids the note mentions; Tags its hashtags.
	MentionURIs []string
	Tags        []string
}

// RemoteReaction is a Like or an emoji reaction from another node.
type RemoteReaction struct {
	// URI is the activity id, which an Undo names later.
	URI     string
	PostURI string
	// Kind is one of model.ReactionKinds.
	Kind string
}

// remoteTagPattern is what a hashtag from another node may be.
var remoteTagPattern = regexp.MustCompile(`^[\p{L}\p{N}_]{1,64}$`)

// maxClockAhead is how far in the future a remote published time may lie.
const maxClockAhead = 5 * time.Minute

// UpsertActor stores or refreshes a cached remote actor and returns it. The profile text
// is sanitized; the role is guest for partner nodes and otherwise member unless the
// actor calls itself a guest: a remote document can lower its rights, never raise them.
//
// Several inbox requests from a node seen for the first time store its actor at once;
// the transaction that loses that race (storage.ErrConcurrentWrite) runs again and finds
// the actor stored.
func (r *Remote) UpsertActor(ctx context.Context, in ActorInput, trust model.Trust) (*model.Account, error) {
	var out *model.Account
	var err error
	for try := 0; try < 3; try++ {
		err = r.Store.InTx(ctx, func(tx *storage.Store) error {
			var err error
			out, err = r.upsertActor(ctx, tx, in, trust)
			return err
		})
		if !errors.Is(err, storage.ErrConcurrentWrite) {
			break
		}
	}
	return out, storage.Lasting(err)
}

func (r *Remote) upsertActor(ctx context.Context, tx *storage.Store, in ActorInput, trust model.Trust) (*model.Account, error) {
	a := in.Account
	if a.Domain == "" || a.URI == "" || a.Username == "" {
		return nil, &ValidationError{Fields: map[string]string{"actor": "error.remote.actor"}}
	}
	if r.isOwnHost(a.Domain) {
		return nil, fmt.Errorf("remote actor %s claims this node: %w", a.URI, ErrForbidden)
	}
	now := r.now()
	a.ID = r.newID()
	a.Role = model.RoleMember
	if in.Account.Role == model.RoleGuest || trust != model.TrustSibling {
		a.Role = model.RoleGuest
	}
	if a.Role != model.RoleGuest {
		a.ExpiresAt = nil // only guests end
	}
	a.AboutSource = ""
	a.AboutHTML = r.md.policy.Sanitize(in.SummaryHTML)
	a.Email, a.PasswordHash, a.PrivateKeyPEM, a.Phone, a.AvatarFile = "", "", "", "", ""
	a.FetchedAt, a.CreatedAt, a.UpdatedAt, a.DeactivatedAt = &now, now, now, nil
	if in.ProfileWithheld {
		a.FetchedAt = nil // a key is kept, never a profile to show
	}
	a.ManagerID = nil
	if in.ManagerURI != "" {
		if m, err := tx.AccountByURI(ctx, in.ManagerURI); err == nil {
			a.ManagerID = &m.ID
		} else if !errors.Is(err, ErrNotFound) {
			return nil, err
		}
	}
	if err := tx.UpsertRemoteAccount(ctx, &a); err != nil {
		return nil, err
	}
	if in.Skills != nil {
		if err := tx.ReplaceSkills(ctx, a.ID, remoteSkills(in.Skills)); err != nil {
			return nil, err
		}
	}
	stored, err := tx.Account(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	// The document's word on guest access counts at once: an ended guest loses its
	// access here before anything else it sent is applied.
	if err := r.syncRemoteGuest(ctx, tx, stored); err != nil {
		return nil, err
	}
	return stored, nil
}

// apply runs fn in one transaction with the activity marked processed; a replay returns
// ErrDuplicate and changes nothing. A refusal from fn rolls the mark back too, so the
// same activity is refused again rather than silently skipped.
func (r *Remote) apply(ctx context.Context, in Incoming, fn func(tx *storage.Store) error) error {
	if in.ActivityID == "" || in.Actor == nil || in.Actor.Local() {
		return errors.New("remote activity without id or remote actor")
	}
	dup := false
	err := r.Store.InTx(ctx, func(tx *storage.Store) error {
		fresh, err := tx.MarkProcessed(ctx, in.ActivityID, r.now())
		if err != nil {
			return err
		}
		if !fresh {
			dup = true
			return nil
		}
		return fn(tx)
	})
	if err == nil && dup {
		return ErrDuplicate
	}
	return err
}

// ReceiveActorUpdate refreshes the sender's cached profile (Update of a Person).
func (r *Remote) ReceiveActorUpdate(ctx context.Context, in Incoming, actor ActorInput) error {
	if actor.Account.URI != in.Actor.URI {
		return fmt.Errorf("update of actor %s by %s: %w", actor.Account.URI, in.Actor.URI, ErrForbidden)
	}
	return r.apply(ctx, in, func(tx *storage.Store) error {
		_, err := r.upsertActor(ctx, tx, actor, in.Trust)
		return err
	})
}

// ReceiveFollow makes the sender follow the local account targetURI and accepts at once:
// the Accept goes out through the outbox in the same transaction. A guest's follow, or a
// follow of a guest, is answered with a Reject and stores nothing.
func (r *Remote) ReceiveFollow(ctx context.Context, in Incoming, followURI, targetURI string) error {
	return r.apply(ctx, in, func(tx *storage.Store) error {
		target, err := tx.AccountByURI(ctx, targetURI)
		if err != nil {
			return err
		}
		if !target.Local() || !target.Active() {
			return fmt.Errorf("follow target %s: %w", targetURI, ErrNotFound)
		}
		f := &model.Follow{FollowerID: in.Actor.ID, FolloweeID: target.ID, URI: followURI, Accepted: true, CreatedAt: r.now()}
		if in.Actor.IsGuest() || target.IsGuest() || !in.Actor.ActiveAt(r.now()) {
			// Guests follow nobody and nobody follows guests: their node is told no.
			f.Accepted = false
			r.Log.InfoContext(ctx, "remote follow rejected: a guest", "follower", in.Actor.Handle(), "followee", target.Username)
			return r.Outbox.Enqueue(ctx, tx, Activity{Kind: ActivityReject, Actor: target, Object: in.Actor, Follow: f})
		}
		if err := tx.SaveFollow(ctx, f); err != nil {
			return err
		}
		if err := r.Outbox.Enqueue(ctx, tx, Activity{Kind: ActivityAccept, Actor: target, Object: in.Actor, Follow: f}); err != nil {
			return err
		}
		r.wake(tx)
		r.Log.InfoContext(ctx, "remote follow accepted", "follower", in.Actor.Handle(), "followee", target.Username)
		return nil
	})
}

// ReceiveAccept marks a local account's follow of the sender accepted.
func (r *Remote) ReceiveAccept(ctx context.Context, in Incoming, followURI string) error {
	return r.apply(ctx, in, func(tx *storage.Store) error {
		f, err := r.ourFollowOf(ctx, tx, in, followURI)
		if err != nil {
			return err
		}
		r.Log.InfoContext(ctx, "follow accepted", "followee", in.Actor.Handle())
		return tx.AcceptFollow(ctx, f.FollowerID, f.FolloweeID)
	})
}

// ReceiveReject removes a local account's follow of the sender, pending or not.
func (r *Remote) ReceiveReject(ctx context.Context, in Incoming, followURI string) error {
	return r.apply(ctx, in, func(tx *storage.Store) error {
		f, err := r.ourFollowOf(ctx, tx, in, followURI)
		if err != nil {
			return err
		}
		r.Log.InfoContext(ctx, "follow rejected", "followee", in.Actor.Handle())
		return tx.DeleteFollow(ctx, f.FollowerID, f.FolloweeID)
	})
}

// ourFollowOf finds the follow followURI and checks that it is a local account's follow
// of the sender: only the followed account may answer a follow.
func (r *Remote) ourFollowOf(ctx context.Context, tx *storage.Store, in Incoming, followURI string) (*model.Follow, error) {
	f, err := tx.FollowByURI(ctx, followURI)
	if err != nil {
		return nil, err
	}
	if f.FolloweeID != in.Actor.ID {
		return nil, fmt.Errorf("answer to follow %s by %s: %w", followURI, in.Actor.URI, ErrForbidden)
	}
	return f, nil
}

// ReceiveUndo withdraws the sender's follow or reaction whose activity id is objectURI.
// Undoing what does not exist changes nothing; undoing someone else's is ErrForbidden.
func (r *Remote) ReceiveUndo(ctx context.Context, in Incoming, objectURI string) error {
	return r.apply(ctx, in, func(tx *storage.Store) error {
		f, err := tx.FollowByURI(ctx, objectURI)
		switch {
		case err == nil:
			if f.FollowerID != in.Actor.ID {
				return fmt.Errorf("undo follow %s by %s: %w", objectURI, in.Actor.URI, ErrForbidden)
			}
			r.Log.InfoContext(ctx, "remote unfollow", "follower", in.Actor.Handle())
			return tx.DeleteFollow(ctx, f.FollowerID, f.FolloweeID)
		case !errors.Is(err, ErrNotFound):
			return err
		}
		re, err := tx.ReactionByURI(ctx, objectURI)
		switch {
		case errors.Is(err, ErrNotFound):
			return nil
		case err != nil:
			return err
		case re.AccountID != in.Actor.ID:
			return fmt.Errorf("undo reaction %s by %s: %w", objectURI, in.Actor.URI, ErrForbidden)
		}
		return tx.RemoveReaction(ctx, re.PostID, re.AccountID, re.Kind)
	})
}

// ReceivePost stores a post or comment by the sender. The sender must be allowed to
// address the audience: company posts only from sibling nodes, followers posts only when
// a local account follows the author, comments only on threads the sender may see.
func (r *Remote) ReceivePost(ctx context.Context, in Incoming, p RemotePost) error {
	return r.apply(ctx, in, func(tx *storage.Store) error {
		now := r.now()
		post := &model.Post{ID: r.newID(), URI: p.URI, AccountID: in.Actor.ID, Audience: p.Audience,
			Source: p.Source, HTML: localTagLinks(r.md.policy.Sanitize(p.HTML), remoteTags(p.Tags)), Local: false}
		post.CreatedAt = p.CreatedAt.UTC().Truncate(time.Microsecond)
		if post.CreatedAt.IsZero() || post.CreatedAt.After(now.Add(maxClockAhead)) {
			post.CreatedAt = now
		}
		post.UpdatedAt = post.CreatedAt
		if p.EditedAt != nil && p.EditedAt.After(post.CreatedAt) {
			e := p.EditedAt.UTC().Truncate(time.Microsecond)
			post.EditedAt, post.UpdatedAt = &e, e
		}
		if p.InReplyToURI != "" {
			parent, err := tx.PostByURI(ctx, p.InReplyToURI)
			if err != nil {
				return fmt.Errorf("parent of %s: %w", p.URI, err)
			}
			root := parent
			if parent.RootID != nil {
				if root, err = tx.Post(ctx, *parent.RootID); err != nil {
					return err
				}
			}
			ok, err := r.maySee(ctx, tx, in, root)
			if err != nil {
				return err
			}
			if !ok {
				return fmt.Errorf("comment %s on a thread %s may not see: %w", p.URI, in.Actor.URI, ErrForbidden)
			}
			post.InReplyToID, post.RootID, post.Audience = &parent.ID, &root.ID, root.Audience
		} else if err := r.mayAddress(ctx, tx, in, p.Audience); err != nil {
			return err
		}
		mentions, err := r.mentionIDs(ctx, tx, p.MentionURIs)
		if err != nil {
			return err
		}
		// The insert finds a post already stored under the URI, so the usual new post
		// costs no lookup before it; the rules above hold for a known post all the same.
		created, err := tx.CreatePostIfNew(ctx, post, mentions, remoteTags(p.Tags))
		if err != nil {
			return err
		}
		if !created {
			old, err := tx.PostByURI(ctx, p.URI)
			if err != nil {
				return err
			}
			if old.AccountID != in.Actor.ID {
				return fmt.Errorf("post %s exists by another author: %w", p.URI, storage.ErrConflict)
			}
			return nil // already known, e.g. fetched before the Create arrived
		}
		r.Log.InfoContext(ctx, "remote post stored", "post", post.ID, "uri", post.URI, "author", in.Actor.Handle(), "audience", post.Audience)
		return nil
	})
}

// mayAddress checks that the sender may send a top-level post to audience.
func (r *Remote) mayAddress(ctx context.Context, tx *storage.Store, in Incoming, audience model.Audience) error {
	switch audience {
	case model.AudienceCompany:
		// The company is the sibling nodes; partners and guests are outside it.
		if in.Trust != model.TrustSibling || in.Actor.Role == model.RoleGuest {
			return fmt.Errorf("company post from %s (%s): %w", in.Actor.URI, in.Trust, ErrForbidden)
		}
		return nil
	case model.AudienceFollowers:
		ok, err := tx.HasLocalFollower(ctx, in.Actor.ID)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("followers post from %s, whom nobody here follows: %w", in.Actor.URI, ErrForbidden)
		}
		return nil
	default:
		return fmt.Errorf("audience %q from %s: %w", audience, in.Actor.URI, ErrForbidden)
	}
}

// maySee reports whether the sender may see the thread whose top post is root.
func (r *Remote) maySee(ctx context.Context, tx *storage.Store, in Incoming, root *model.Post) (bool, error) {
	if root.AccountID == in.Actor.ID {
		return true, nil
	}
	switch root.Audience {
	case model.AudienceCompany:
		return in.Trust == model.TrustSibling && in.Actor.Role != model.RoleGuest, nil
	case model.AudienceFollowers:
		author, err := tx.Account(ctx, root.AccountID)
		if err != nil {
			return false, err
		}
		if author.Local() {
			return tx.IsFollowing(ctx, in.Actor.ID, author.ID)
		}
		// Whom a remote author's node let see the post is known only there; trust its
		// own users, nobody else.
		return author.Domain == in.Actor.Domain, nil
	default:
		return false, nil
	}
}

// mentionIDs maps mentioned actor ids to the accounts known here.
func (r *Remote) mentionIDs(ctx context.Context, tx *storage.Store, uris []string) ([]string, error) {
	if len(uris) > 50 {
		uris = uris[:50]
	}
	known, err := tx.AccountsByURIs(ctx, uris)
	if err != nil {
		return nil, err
	}
	var ids []string
	seen := map[string]bool{}
	for _, u := range uris {
		if a, ok := known[u]; ok && !seen[a.ID] {
			seen[a.ID] = true
			ids = append(ids, a.ID)
		}
	}
	return ids, nil
}

// remoteTags normalizes hashtags from another node as local ones are, so that they meet
// on the same tag page and reach the same followers, and drops malformed ones.
func remoteTags(tags []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, t := range tags {
		t, ok := NormalizeTag(t)
		if !ok || seen[t] {
			continue
		}
		seen[t] = true
		out = append(out, t)
		if len(out) == 30 {
			break
		}
	}
	return out
}

// ReceiveUpdatePost replaces the text of the sender's post, keeping the previous version
// as local edits do. Only the author may update a post.
func (r *Remote) ReceiveUpdatePost(ctx context.Context, in Incoming, p RemotePost) error {
	return r.apply(ctx, in, func(tx *storage.Store) error {
		post, err := tx.PostByURI(ctx, p.URI)
		if err != nil {
			return err
		}
		_, err = r.updatePost(ctx, tx, in, post, p)
		return err
	})
}

// updatePost replaces the text of the sender's post with p's, keeping the previous
// version; it reports whether anything changed. Only the author may update a post.
func (r *Remote) updatePost(ctx context.Context, tx *storage.Store, in Incoming, post *model.Post, p RemotePost) (bool, error) {
	if post.AccountID != in.Actor.ID || post.Local {
		return false, fmt.Errorf("update of %s by %s: %w", p.URI, in.Actor.URI, ErrForbidden)
	}
	html := localTagLinks(r.md.policy.Sanitize(p.HTML), remoteTags(p.Tags))
	mentions, err := r.mentionIDs(ctx, tx, p.MentionURIs)
	if err != nil {
		return false, err
	}
	if html == post.HTML && p.Source == post.Source {
		return false, nil
	}
	now := r.now()
	old := &model.PostEdit{ID: r.newID(), PostID: post.ID, Source: post.Source, HTML: post.HTML, EditedAt: post.UpdatedAt}
	edited := now
	if p.EditedAt != nil && !p.EditedAt.After(now.Add(maxClockAhead)) && p.EditedAt.After(post.CreatedAt) {
		edited = p.EditedAt.UTC().Truncate(time.Microsecond)
	}
	post.Source, post.HTML, post.UpdatedAt, post.EditedAt = p.Source, html, edited, &edited
	r.Log.InfoContext(ctx, "remote post edited", "post", post.ID, "author", in.Actor.Handle())
	return true, tx.UpdatePostContent(ctx, post, old, mentions, remoteTags(p.Tags))
}

// ReceiveDeletePost deletes the sender's post with its comments. Deleting what is not
// here changes nothing; only the author may delete.
func (r *Remote) ReceiveDeletePost(ctx context.Context, in Incoming, uri string) error {
	return r.apply(ctx, in, func(tx *storage.Store) error {
		post, err := tx.PostByURI(ctx, uri)
		if errors.Is(err, ErrNotFound) {
			return nil
		} else if err != nil {
			return err
		}
		if post.AccountID != in.Actor.ID || post.Local {
			return fmt.Errorf("delete of %s by %s: %w", uri, in.Actor.URI, ErrForbidden)
		}
		r.Log.InfoContext(ctx, "remote post deleted", "post", post.ID, "author", in.Actor.Handle())
		return tx.DeletePost(ctx, post.ID)
	})
}

// ReceiveReaction stores the sender's reaction on a post it may see.
func (r *Remote) ReceiveReaction(ctx context.Context, in Incoming, re RemoteReaction) error {
	if !model.ValidReaction(re.Kind) {
		return &ValidationError{Fields: map[string]string{"kind": "error.reaction.kind"}}
	}
	return r.apply(ctx, in, func(tx *storage.Store) error {
		post, err := tx.PostByURI(ctx, re.PostURI)
		if err != nil {
			return err
		}
		root := post
		if post.RootID != nil {
			if root, err = tx.Post(ctx, *post.RootID); err != nil {
				return err
			}
		}
		ok, err := r.maySee(ctx, tx, in, root)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("reaction by %s on %s: %w", in.Actor.URI, re.PostURI, ErrForbidden)
		}
		return tx.SaveReaction(ctx, &model.Reaction{PostID: post.ID, AccountID: in.Actor.ID, Kind: re.Kind,
			URI: re.URI, CreatedAt: r.now()})
	})
}

// ReactionKindOf maps an emoji to its reaction kind; "" when it is not one of ours.
func ReactionKindOf(emoji string) string {
	for _, k := range model.ReactionKinds {
		if k.Emoji == emoji || strings.TrimSuffix(k.Emoji, "\ufe0f") == strings.TrimSuffix(emoji, "\ufe0f") {
			return k.Kind
		}
	}
	return ""
}

// wake tells the delivery worker about new deliveries once tx commits.
func (r *Remote) wake(tx *storage.Store) {
	if r.Wake != nil {
		tx.AfterCommit(r.Wake)
	}
}
