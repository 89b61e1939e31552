package federation

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"sort"
	"time"

	"github.com/atrium-intranet/atrium/activitypub"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
	"github.com/atrium-intranet/atrium/storage"
	"github.com/go-fed/activity/streams/vocab"
	"github.com/oklog/ulid/v2"
)

// OutboxOptions configures an Outbox.
type OutboxOptions struct {
	// URIs are the node's own identifiers; its origin is never a delivery target.
	URIs model.URIs
	Log  *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Notify wakes the delivery worker once a change with deliveries has committed.
	Notify func()
}

// Outbox turns the activities of local changes into delivery rows, in the transaction
// of the change. It implements social.Outbox and never sends anything itself.
type Outbox struct {
	uris   model.URIs
	origin string
	host   string // host:port of the node, as in handles
	log    *slog.Logger
	now    func() time.Time
	notify func()
}

var _ social.Outbox = (*Outbox)(nil)

// NewOutbox returns an Outbox for the node at o.URIs.
func NewOutbox(o OutboxOptions) *Outbox {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	origin, err := activitypub.Origin(o.URIs.Base)
	if err != nil {
		origin = o.URIs.Base // a bad base fails every payload build anyway
	}
	host := ""
	if u, err := url.Parse(o.URIs.Base); err == nil {
		host = u.Host
	}
	return &Outbox{uris: o.URIs, origin: origin, host: host, log: o.Log, now: o.Now, notify: o.Notify}
}

// Enqueue builds the activity's payload, decides the receiving shared inboxes and writes
// one pending delivery per inbox with tx. Activities that do not federate (site posts,
// remote posts, follows between local accounts) write nothing.
func (o *Outbox) Enqueue(ctx context.Context, tx *storage.Store, a social.Activity) error {
	if a.Kind.ByGroup() {
		if a.Group == nil || !a.Group.Local() {
			return fmt.Errorf("federation: enqueue %s: group must be local", a.Kind)
		}
	} else if a.Actor == nil || !a.Actor.Local() {
		return fmt.Errorf("federation: enqueue %s: actor must be a local account", a.Kind)
	}
	peers, err := o.allowedPeers(ctx, tx)
	if err != nil {
		return err
	}
	if len(peers) == 0 {
		return nil // no peers, nobody to tell
	}
	t := &targets{outbox: o, peers: peers, inboxes: map[string]string{}}
	payload, err := o.build(ctx, tx, a, t)
	if errors.Is(err, activitypub.ErrNotFederated) || (err == nil && payload == nil) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("federation: enqueue %s: %w", a.Kind, err)
	}
	if len(t.inboxes) == 0 {
		return nil
	}
	id, err := activitypub.ActivityID(payload)
	if err != nil {
		return fmt.Errorf("federation: enqueue %s: %w", a.Kind, err)
	}
	body, err := activitypub.Marshal(o.uris.Base, payload)
	if err != nil {
		return fmt.Errorf("federation: enqueue %s: %w", a.Kind, err)
	}
	now := o.now().UTC().Truncate(time.Microsecond)
	// A group's own activities are signed with the group's key, everything else with
	// the local actor's.
	var actorID, groupID *string
	if t.group != nil {
		groupID = &t.group.ID
	} else {
		actorID = &a.Actor.ID
	}
	sort.Strings(t.order) // a stable order, for logs and tests
	rows := make([]*model.Delivery, 0, len(t.inboxes))
	for _, inbox := range t.order {
		rows = append(rows, &model.Delivery{
			ID: ulid.MustNew(ulid.Timestamp(now), ulid.DefaultEntropy()).String(), ActivityID: id,
			ActorID: actorID, GroupID: groupID, InboxURI: inbox, Origin: t.inboxes[inbox], Payload: string(body),
			Status: model.DeliveryPending, NextAttemptAt: now, CreatedAt: now, UpdatedAt: now,
		})
	}
	if err := tx.InsertDeliveries(ctx, rows); err != nil {
		return err
	}
	if o.notify != nil {
		tx.AfterCommit(o.notify)
	}
	o.log.DebugContext(ctx, "activity queued", "activity", id, "kind", a.Kind, "inboxes", len(rows))
	return nil
}

// build returns the activity and adds its receiving inboxes to t.
func (o *Outbox) build(ctx context.Context, tx *storage.Store, a social.Activity, t *targets) (vocab.Type, error) {
	switch a.Kind {
	case social.ActivityCreate, social.ActivityUpdate, social.ActivityDelete:
		return o.buildPost(ctx, tx, a, t)
	case social.ActivityFollow, social.ActivityUndoFollow:
		if a.Follow == nil || a.Object == nil {
			return nil, errors.New("follow and followee required")
		}
		if a.Object.Local() {
			return nil, nil // a local follow needs nobody else
		}
		t.addAccount(a.Object)
		if a.Kind == social.ActivityFollow {
			return activitypub.NewFollow(a.Follow, a.Actor, a.Object)
		}
		return activitypub.NewUndoFollow(a.Follow, a.Actor, a.Object)
	case social.ActivityAccept, social.ActivityReject:
		if a.Follow == nil || a.Object == nil {
			return nil, errors.New("follow and follower required")
		}
		if a.Object.Local() {
			return nil, nil
		}
		t.addAccount(a.Object)
		if a.Kind == social.ActivityAccept {
			return activitypub.NewAccept(a.Follow, a.Object, a.Actor)
		}
		return activitypub.NewReject(a.Follow, a.Object, a.Actor)
	case social.ActivityReact, social.ActivityUndoReact:
		return o.buildReaction(ctx, tx, a, t)
	case social.ActivityUpdateProfile:
		return o.buildProfile(ctx, tx, a, t)
	case social.ActivityDeleteActor:
		return o.buildActorDelete(ctx, tx, a, t)
	case social.ActivityJoinGroup, social.ActivityLeaveGroup:
		return o.buildJoin(a, t)
	case social.ActivityGroupAccept, social.ActivityGroupReject:
		return o.buildGroupAnswer(a, t)
	case social.ActivityGroupAnnounce, social.ActivityGroupAnnounceDelete, social.ActivityGroupAnnounceUpdate,
		social.ActivityGroupAnnounceReact, social.ActivityGroupAnnounceUndoReact, social.ActivityGroupAnnounceApproved:
		return o.buildGroupAnnounce(ctx, tx, a, t)
	case social.ActivityGroupRejectPost:
		return o.buildGroupRejectPost(a, t)
	case social.ActivityGroupUpdate:
		return o.buildGroupUpdate(ctx, tx, a, t)
	case social.ActivityGroupInvite, social.ActivityGroupInviteUndo, social.ActivityDeclineGroupInvite:
		return o.buildInvite(a, t)
	default:
		return nil, fmt.Errorf("unknown activity kind %q", a.Kind)
	}
}

// buildPost handles Create, Update and Delete of a local post or comment: to its
// audience, and for a comment also to the nodes of the parent's and the root's authors.
func (o *Outbox) buildPost(ctx context.Context, tx *storage.Store, a social.Activity, t *targets) (vocab.Type, error) {
	p := a.Post
	if p == nil {
		return nil, errors.New("post required")
	}
	if !p.Local || p.Audience == model.AudienceSite {
		return nil, nil // remote posts are their node's to federate; site posts stay here
	}
	if p.Audience == model.AudienceGroup {
		return o.buildGroupPost(ctx, tx, a, t)
	}
	if p.AccountID != a.Actor.ID {
		// Receivers accept Create/Update/Delete only when signed by the object's author.
		return nil, fmt.Errorf("post %s: actor is not its author", p.ID)
	}
	in := activitypub.PostActivity{URIs: o.uris, Post: p, Author: a.Actor}
	if err := t.addThreadAudience(ctx, tx, p, a.Actor); err != nil {
		return nil, err
	}
	if a.Parent != nil {
		in.Extras.InReplyToURI = a.Parent.URI
		parentAuthor, err := tx.Account(ctx, a.Parent.AccountID)
		if err != nil {
			return nil, fmt.Errorf("parent author: %w", err)
		}
		in.ParentAuthorURI = parentAuthor.URI
		t.addAccount(parentAuthor)
	}
	if p.RootID != nil && (a.Parent == nil || *p.RootID != a.Parent.ID) {
		root, err := tx.Post(ctx, *p.RootID)
		if err != nil && !errors.Is(err, storage.ErrNotFound) {
			return nil, fmt.Errorf("root post: %w", err)
		}
		if root != nil {
			rootAuthor, err := tx.Account(ctx, root.AccountID)
			if err != nil {
				return nil, fmt.Errorf("root author: %w", err)
			}
			t.addAccount(rootAuthor)
		}
	}
	if a.Kind == social.ActivityDelete {
		return activitypub.NewDelete(in)
	}
	if err := o.noteExtras(ctx, tx, p, &in.Extras); err != nil {
		return nil, err
	}
	if a.Kind == social.ActivityCreate {
		return activitypub.NewCreate(in)
	}
	return activitypub.NewUpdate(in)
}

// noteExtras reads a post's mentions and hashtags.
func (o *Outbox) noteExtras(ctx context.Context, tx *storage.Store, p *model.Post, x *activitypub.NoteExtras) error {
	mentioned, err := tx.MentionedAccounts(ctx, p.ID)
	if err != nil {
		return err
	}
	for _, m := range mentioned {
		x.Mentions = append(x.Mentions, activitypub.Tag{Href: m.URI, Name: o.handle(m)})
	}
	tags, err := tx.TagsOfPost(ctx, p.ID)
	if err != nil {
		return err
	}
	for _, tag := range tags {
		x.Hashtags = append(x.Hashtags, activitypub.Tag{Href: o.uris.Base + "/tags/" + tag, Name: "#" + tag})
	}
	return nil
}

// handle is @user@host:port, the form other nodes show.
func (o *Outbox) handle(a *model.Account) string {
	if a.Domain != "" {
		return a.Handle()
	}
	return "@" + a.Username + "@" + o.host
}

// buildReaction handles a reaction and its Undo: to the post author's node and to the
// post's audience, so that every node showing the post can count it.
func (o *Outbox) buildReaction(ctx context.Context, tx *storage.Store, a social.Activity, t *targets) (vocab.Type, error) {
	if a.Post == nil || a.Reaction == nil {
		return nil, errors.New("post and reaction required")
	}
	if a.Post.Local && a.Post.Audience == model.AudienceSite {
		return nil, nil
	}
	if a.Post.Audience == model.AudienceGroup {
		return o.buildGroupReaction(ctx, tx, a, t) // through the Group actor (FEP-1b12)
	}
	author, err := tx.Account(ctx, a.Post.AccountID)
	if err != nil {
		return nil, fmt.Errorf("post author: %w", err)
	}
	t.addAccount(author)
	if err := t.addThreadAudience(ctx, tx, a.Post, author); err != nil {
		return nil, err
	}
	in := activitypub.ReactionActivity{URIs: o.uris, Reaction: a.Reaction, Actor: a.Actor, Post: a.Post, PostAuthor: author}
	if a.Kind == social.ActivityReact {
		return activitypub.NewReaction(in)
	}
	return activitypub.NewUndoReaction(in)
}

// buildProfile handles a profile Update: to every sibling (the company directory) and
// to the nodes of the account's followers.
func (o *Outbox) buildProfile(ctx context.Context, tx *storage.Store, a social.Activity, t *targets) (vocab.Type, error) {
	acct := *a.Actor
	if acct.ManagerID != nil && acct.Manager == nil {
		m, err := tx.Account(ctx, *acct.ManagerID)
		if err != nil && !errors.Is(err, storage.ErrNotFound) {
			return nil, fmt.Errorf("manager: %w", err)
		}
		acct.Manager = m
	}
	x := activitypub.PersonExtras{GuestExpires: acct.ExpiresAt}
	if acct.AvatarFile != "" {
		x.IconURL, x.IconMediaType = o.uris.Base+"/avatars/"+acct.AvatarFile, "image/png"
	}
	t.addSiblings()
	if err := t.addFollowers(ctx, tx, &acct); err != nil {
		return nil, err
	}
	if acct.IsGuest() {
		if err := t.addGuestGroups(ctx, tx, &acct); err != nil {
			return nil, err
		}
	}
	return activitypub.NewUpdatePerson(o.uris, &acct, x)
}

// allowedPeer is a peer as stored, keyed by its normalized origin.
type allowedPeer struct {
	origin string // as stored, which is what DeletePeer matches deliveries by
	trust  model.Trust
}

// allowedPeers maps normalized origins to the peers allowed now.
func (o *Outbox) allowedPeers(ctx context.Context, tx *storage.Store) (map[string]allowedPeer, error) {
	list, err := tx.Peers(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]allowedPeer, len(list))
	for _, p := range list {
		norm, err := activitypub.Origin(p.Origin)
		if err != nil || norm == o.origin {
			continue
		}
		out[norm] = allowedPeer{origin: p.Origin, trust: p.Trust}
	}
	return out, nil
}

// targets collects receiving inboxes, at most one per node, in a stable order.
type targets struct {
	outbox  *Outbox
	peers   map[string]allowedPeer
	inboxes map[string]string // inbox URI → peer origin as stored
	nodes   map[string]bool   // normalized origins already targeted
	order   []string
	// group is the local group that signs, nil for the actor.
	group *model.Group
}

// add targets inbox if its node is an allowed peer other than this node; a node that
// already has an inbox is not added twice.
func (t *targets) add(inbox string) {
	norm, err := activitypub.Origin(inbox)
	if err != nil {
		return
	}
	peer, ok := t.peers[norm]
	if !ok || norm == t.outbox.origin {
		return // never deliver to a non-peer, nor to ourselves
	}
	if t.nodes == nil {
		t.nodes = map[string]bool{}
	}
	if t.nodes[norm] {
		return
	}
	t.nodes[norm] = true
	t.inboxes[inbox] = peer.origin
	t.order = append(t.order, inbox)
}

// addAccount targets the node of a remote account, by its shared inbox where it has one.
func (t *targets) addAccount(a *model.Account) {
	if a == nil || a.Local() {
		return
	}
	if a.SharedInboxURI != "" {
		t.add(a.SharedInboxURI)
	} else if a.InboxURI != "" {
		t.add(a.InboxURI)
	}
}

// addSiblings targets every sibling node's shared inbox.
func (t *targets) addSiblings() {
	for _, p := range t.peers {
		if p.trust == model.TrustSibling {
			t.add(p.origin + "/inbox")
		}
	}
}

// addFollowers targets the nodes of an account's accepted remote followers.
func (t *targets) addFollowers(ctx context.Context, tx *storage.Store, a *model.Account) error {
	followers, err := tx.RemoteFollowers(ctx, a.ID)
	if err != nil {
		return err
	}
	for _, f := range followers {
		t.addAccount(f)
	}
	return nil
}

// addAudience targets what a post's audience reaches: siblings for company, the author's
// followers' nodes for followers, nothing for site.
func (t *targets) addAudience(ctx context.Context, tx *storage.Store, p *model.Post, author *model.Account) error {
	switch p.Audience {
	case model.AudienceCompany:
		t.addSiblings()
	case model.AudienceFollowers:
		return t.addFollowers(ctx, tx, author)
	}
	return nil
}

// addThreadAudience targets the audience of p's thread: a comment goes where its top
// post went, to the followers of the top post's author and never of the commenter, who
// may be followed on nodes that must not see the thread.
func (t *targets) addThreadAudience(ctx context.Context, tx *storage.Store, p *model.Post, author *model.Account) error {
	if p.RootID == nil || p.Audience != model.AudienceFollowers {
		return t.addAudience(ctx, tx, p, author)
	}
	root, err := tx.Post(ctx, *p.RootID)
	if errors.Is(err, storage.ErrNotFound) {
		return nil // the thread is gone: its audience is unknown, so nobody more is told
	} else if err != nil {
		return fmt.Errorf("root post: %w", err)
	}
	rootAuthor, err := tx.Account(ctx, root.AccountID)
	if err != nil {
		return fmt.Errorf("root author: %w", err)
	}
	t.addAccount(rootAuthor)
	return t.addFollowers(ctx, tx, rootAuthor)
}
