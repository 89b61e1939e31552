package activitypub

// Builders of the activities a node sends. Ids are derived from the objects they carry,
// so building the same activity twice gives the same id and receivers deduplicate it.

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/atrium-intranet/atrium/model"
	"github.com/go-fed/activity/streams"
	"github.com/go-fed/activity/streams/vocab"
)

// PostActivity is what the builders of Create, Update and Delete of a post need.
type PostActivity struct {
	URIs model.URIs
	// Post is a local post or comment; Author its (local) author.
	Post   *model.Post
	Author *model.Account
	// Extras are the note's reply target, mentions and hashtags.
	Extras NoteExtras
	// ParentAuthorURI is the author of the post a comment answers, copied (cc) so that
	// their node learns of the comment; empty for top-level posts.
	ParentAuthorURI string
}

// CreateID is the id of the Create of the post at postURI.
func CreateID(postURI string) string { return postURI + "#create" }

// UpdateID is the id of the Update of the post at postURI edited at editedAt: each edit
// is a distinct activity.
func UpdateID(postURI string, editedAt time.Time) string {
	return postURI + "#update-" + strconv.FormatInt(editedAt.UnixNano(), 10)
}

// DeleteID is the id of the Delete of the post at postURI.
func DeleteID(postURI string) string { return postURI + "#delete" }

// UndoID is the id of the Undo of the activity id.
func UndoID(id string) string { return id + "#undo" }

// AcceptID is the id of the Accept, by followee, of the Follow followURI. The Follow id
// is hashed because it is another node's IRI and may hold any characters.
func AcceptID(followeeURI, followURI string) string {
	return followeeURI + "#accepts/" + shortHash(followURI)
}

// RejectID is the id of the Reject, by followee, of the Follow followURI.
func RejectID(followeeURI, followURI string) string {
	return followeeURI + "#rejects/" + shortHash(followURI)
}

// ProfileUpdateID is the id of the Update of an actor's profile changed at updated.
func ProfileUpdateID(actorURI string, updated time.Time) string {
	return actorURI + "#update-" + strconv.FormatInt(updated.UnixNano(), 10)
}

func shortHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:16])
}

// NewCreate builds Create{Note} of a new post or comment, addressed as the note is.
func NewCreate(in PostActivity) (vocab.ActivityStreamsCreate, error) {
	note, err := noteFor(in)
	if err != nil {
		return nil, err
	}
	a := streams.NewActivityStreamsCreate()
	a.SetJSONLDId(idProp(mustIRI(CreateID(in.Post.URI))))
	a.SetActivityStreamsActor(actorProp(note.GetActivityStreamsAttributedTo().At(0).GetIRI()))
	obj := streams.NewActivityStreamsObjectProperty()
	obj.AppendActivityStreamsNote(note)
	a.SetActivityStreamsObject(obj)
	a.SetActivityStreamsTo(copyTo(note.GetActivityStreamsTo()))
	a.SetActivityStreamsCc(copyCc(note.GetActivityStreamsCc()))
	pub := streams.NewActivityStreamsPublishedProperty()
	pub.Set(in.Post.CreatedAt.UTC())
	a.SetActivityStreamsPublished(pub)
	return a, nil
}

// NewUpdate builds Update{Note} of an edited post or comment; its id names the edit.
func NewUpdate(in PostActivity) (vocab.ActivityStreamsUpdate, error) {
	note, err := noteFor(in)
	if err != nil {
		return nil, err
	}
	edited := in.Post.UpdatedAt
	if in.Post.EditedAt != nil {
		edited = *in.Post.EditedAt
	}
	a := streams.NewActivityStreamsUpdate()
	a.SetJSONLDId(idProp(mustIRI(UpdateID(in.Post.URI, edited))))
	a.SetActivityStreamsActor(actorProp(note.GetActivityStreamsAttributedTo().At(0).GetIRI()))
	obj := streams.NewActivityStreamsObjectProperty()
	obj.AppendActivityStreamsNote(note)
	a.SetActivityStreamsObject(obj)
	a.SetActivityStreamsTo(copyTo(note.GetActivityStreamsTo()))
	a.SetActivityStreamsCc(copyCc(note.GetActivityStreamsCc()))
	pub := streams.NewActivityStreamsPublishedProperty()
	pub.Set(edited.UTC())
	a.SetActivityStreamsPublished(pub)
	return a, nil
}

// NewDelete builds Delete{Tombstone} of a deleted post or comment, addressed to the
// post's audience (and the parent's author for a comment). Deleting a post deletes its
// comments with it, so a receiver drops the whole thread on the Delete of its root.
func NewDelete(in PostActivity) (vocab.ActivityStreamsDelete, error) {
	if err := checkPostActivity(in); err != nil {
		return nil, err
	}
	id, err := ParseIRI(in.Post.URI)
	if err != nil {
		return nil, fmt.Errorf("activitypub: delete %q: %w", in.Post.ID, err)
	}
	actor, err := sameOriginIRI(in.Post.URI, in.Author.URI)
	if err != nil {
		return nil, fmt.Errorf("activitypub: delete %q: author: %w", in.Post.URI, err)
	}
	to := in.Extras.GroupURI
	if in.Post.Audience != model.AudienceGroup {
		if to, err = AudienceIRI(in.URIs, in.Post, in.Author); err != nil {
			return nil, err
		}
	}
	var cc []string
	if in.ParentAuthorURI != "" && in.ParentAuthorURI != in.Author.URI {
		cc = append(cc, in.ParentAuthorURI)
	}
	tomb := streams.NewActivityStreamsTombstone()
	tomb.SetJSONLDId(idProp(id))
	a := streams.NewActivityStreamsDelete()
	a.SetJSONLDId(idProp(mustIRI(DeleteID(in.Post.URI))))
	a.SetActivityStreamsActor(actorProp(actor))
	obj := streams.NewActivityStreamsObjectProperty()
	obj.AppendActivityStreamsTombstone(tomb)
	a.SetActivityStreamsObject(obj)
	toProp, ccProp, err := addressing([]string{to}, cc)
	if err != nil {
		return nil, fmt.Errorf("activitypub: delete %q: %w", in.Post.URI, err)
	}
	a.SetActivityStreamsTo(toProp)
	a.SetActivityStreamsCc(ccProp)
	return a, nil
}

// AudienceIRI is the collection a post's audience addresses: the company collection of
// the local node, or the author's followers. The site audience is never federated.
func AudienceIRI(u model.URIs, p *model.Post, author *model.Account) (string, error) {
	switch p.Audience {
	case model.AudienceCompany:
		return u.Company(), nil
	case model.AudienceFollowers:
		if author.FollowersURI != "" {
			return author.FollowersURI, nil
		}
		return FollowersURI(author.URI), nil
	case model.AudienceSite:
		return "", fmt.Errorf("%w: post %q has the site audience", ErrNotFederated, p.URI)
	default:
		return "", fmt.Errorf("activitypub: post %q: unknown audience %q", p.URI, p.Audience)
	}
}

// checkPostActivity rejects missing parts and local site posts early.
func checkPostActivity(in PostActivity) error {
	if in.Post == nil || in.Author == nil {
		return errors.New("activitypub: post activity: nil post or author")
	}
	if in.Post.Audience == model.AudienceSite {
		return fmt.Errorf("%w: post %q has the site audience", ErrNotFederated, in.Post.URI)
	}
	return nil
}

// noteFor converts the post and copies the parent's author, if any, next to the mentions.
func noteFor(in PostActivity) (vocab.ActivityStreamsNote, error) {
	if err := checkPostActivity(in); err != nil {
		return nil, err
	}
	note, err := NoteToAS(in.URIs, in.Post, in.Author, in.Extras)
	if err != nil {
		return nil, err
	}
	if in.ParentAuthorURI == "" || in.ParentAuthorURI == in.Author.URI {
		return note, nil
	}
	parent, err := ParseIRI(in.ParentAuthorURI)
	if err != nil {
		return nil, fmt.Errorf("activitypub: note %q: parent author: %w", in.Post.URI, err)
	}
	cc := note.GetActivityStreamsCc()
	if cc == nil {
		cc = streams.NewActivityStreamsCcProperty()
		note.SetActivityStreamsCc(cc)
	}
	for it := cc.Begin(); it != cc.End(); it = it.Next() {
		if it.IsIRI() && it.GetIRI().String() == parent.String() {
			return note, nil
		}
	}
	cc.AppendIRI(parent)
	return note, nil
}

// NewFollow builds the Follow a local follower sends to a remote followee; its id is the
// follow relation's URI.
func NewFollow(f *model.Follow, follower, followee *model.Account) (vocab.ActivityStreamsFollow, error) {
	if f == nil || follower == nil || followee == nil {
		return nil, errors.New("activitypub: follow: nil follow or account")
	}
	id, err := sameOriginIRI(follower.URI, f.URI)
	if err != nil {
		return nil, fmt.Errorf("activitypub: follow: id: %w", err)
	}
	actor, err := ParseIRI(follower.URI)
	if err != nil {
		return nil, fmt.Errorf("activitypub: follow: actor: %w", err)
	}
	object, err := ParseIRI(followee.URI)
	if err != nil {
		return nil, fmt.Errorf("activitypub: follow: object: %w", err)
	}
	a := streams.NewActivityStreamsFollow()
	a.SetJSONLDId(idProp(id))
	a.SetActivityStreamsActor(actorProp(actor))
	obj := streams.NewActivityStreamsObjectProperty()
	obj.AppendIRI(object)
	a.SetActivityStreamsObject(obj)
	to := streams.NewActivityStreamsToProperty()
	to.AppendIRI(object)
	a.SetActivityStreamsTo(to)
	return a, nil
}

// NewUndoFollow builds Undo{Follow} by the follower, withdrawing f.
func NewUndoFollow(f *model.Follow, follower, followee *model.Account) (vocab.ActivityStreamsUndo, error) {
	follow, err := NewFollow(f, follower, followee)
	if err != nil {
		return nil, err
	}
	return aroundFollow(streams.NewActivityStreamsUndo(), UndoID(f.URI), follower.URI, followee.URI, follow), nil
}

// NewAccept builds Accept{Follow} by a local followee of the remote Follow f.
func NewAccept(f *model.Follow, follower, followee *model.Account) (vocab.ActivityStreamsAccept, error) {
	follow, err := remoteFollow(f, follower, followee)
	if err != nil {
		return nil, err
	}
	return aroundFollow(streams.NewActivityStreamsAccept(), AcceptID(followee.URI, f.URI), followee.URI, follower.URI, follow), nil
}

// NewReject builds Reject{Follow} by a local followee of the remote Follow f.
func NewReject(f *model.Follow, follower, followee *model.Account) (vocab.ActivityStreamsReject, error) {
	follow, err := remoteFollow(f, follower, followee)
	if err != nil {
		return nil, err
	}
	return aroundFollow(streams.NewActivityStreamsReject(), RejectID(followee.URI, f.URI), followee.URI, follower.URI, follow), nil
}

// followEnvelope is what Undo, Accept and Reject have in common around a Follow.
type followEnvelope interface {
	SetJSONLDId(vocab.JSONLDIdProperty)
	SetActivityStreamsActor(vocab.ActivityStreamsActorProperty)
	SetActivityStreamsObject(vocab.ActivityStreamsObjectProperty)
	SetActivityStreamsTo(vocab.ActivityStreamsToProperty)
}

// aroundFollow fills a (an Undo, Accept or Reject) with id and actor, follow as its
// object, addressed to the other side of the follow. The IRIs were checked by the caller.
func aroundFollow[T followEnvelope](a T, id, actor, to string, follow vocab.ActivityStreamsFollow) T {
	a.SetJSONLDId(idProp(mustIRI(id)))
	a.SetActivityStreamsActor(actorProp(mustIRI(actor)))
	obj := streams.NewActivityStreamsObjectProperty()
	obj.AppendActivityStreamsFollow(follow)
	a.SetActivityStreamsObject(obj)
	toProp := streams.NewActivityStreamsToProperty()
	toProp.AppendIRI(mustIRI(to))
	a.SetActivityStreamsTo(toProp)
	return a
}

// remoteFollow rebuilds the Follow a remote follower sent: its id is on the follower's node.
func remoteFollow(f *model.Follow, follower, followee *model.Account) (vocab.ActivityStreamsFollow, error) {
	if f == nil || follower == nil || followee == nil {
		return nil, errors.New("activitypub: accept/reject: nil follow or account")
	}
	id, err := ParseIRI(f.URI)
	if err != nil {
		return nil, fmt.Errorf("activitypub: accept/reject: follow id: %w", err)
	}
	actor, err := ParseIRI(follower.URI)
	if err != nil {
		return nil, fmt.Errorf("activitypub: accept/reject: follower: %w", err)
	}
	object, err := ParseIRI(followee.URI)
	if err != nil {
		return nil, fmt.Errorf("activitypub: accept/reject: followee: %w", err)
	}
	follow := streams.NewActivityStreamsFollow()
	follow.SetJSONLDId(idProp(id))
	follow.SetActivityStreamsActor(actorProp(actor))
	obj := streams.NewActivityStreamsObjectProperty()
	obj.AppendIRI(object)
	follow.SetActivityStreamsObject(obj)
	return follow, nil
}

// ReactionActivity is what the builders of reactions and their Undo need.
type ReactionActivity struct {
	URIs     model.URIs
	Reaction *model.Reaction
	// Actor is the local account reacting.
	Actor *model.Account
	// Post is the post reacted to (local or remote) and PostAuthor its author.
	Post       *model.Post
	PostAuthor *model.Account
	// GroupURI is the group of a group post, its audience.
	GroupURI string
}

// NewReaction builds Like{post} for the kind "like" and, for the other kinds,
// EmojiReact{post} with the emoji as content, as Misskey and Pleroma write it. It is
// addressed to the post's author, with the post's audience copied.
func NewReaction(in ReactionActivity) (vocab.ActivityStreamsLike, error) {
	if in.Reaction == nil || in.Actor == nil || in.Post == nil || in.PostAuthor == nil {
		return nil, errors.New("activitypub: reaction: nil reaction, actor, post or author")
	}
	if !model.ValidReaction(in.Reaction.Kind) {
		return nil, fmt.Errorf("activitypub: reaction: unknown kind %q", in.Reaction.Kind)
	}
	id, err := sameOriginIRI(in.Actor.URI, in.Reaction.URI)
	if err != nil {
		return nil, fmt.Errorf("activitypub: reaction: id: %w", err)
	}
	actor, err := ParseIRI(in.Actor.URI)
	if err != nil {
		return nil, fmt.Errorf("activitypub: reaction: actor: %w", err)
	}
	object, err := ParseIRI(in.Post.URI)
	if err != nil {
		return nil, fmt.Errorf("activitypub: reaction: object: %w", err)
	}
	audience := in.GroupURI
	if audience == "" {
		if audience, err = AudienceIRI(in.URIs, in.Post, in.PostAuthor); err != nil {
			return nil, err
		}
	}
	var to []string
	if in.PostAuthor.URI != in.Actor.URI {
		to = append(to, in.PostAuthor.URI)
	}
	toProp, ccProp, err := addressing(to, []string{audience})
	if err != nil {
		return nil, fmt.Errorf("activitypub: reaction: %w", err)
	}
	like := streams.NewActivityStreamsLike()
	like.SetJSONLDId(idProp(id))
	like.SetActivityStreamsActor(actorProp(actor))
	obj := streams.NewActivityStreamsObjectProperty()
	obj.AppendIRI(object)
	like.SetActivityStreamsObject(obj)
	like.SetActivityStreamsTo(toProp)
	like.SetActivityStreamsCc(ccProp)
	pub := streams.NewActivityStreamsPublishedProperty()
	pub.Set(in.Reaction.CreatedAt.UTC())
	like.SetActivityStreamsPublished(pub)
	if in.Reaction.Kind == model.ReactionLike {
		return like, nil
	}
	content := streams.NewActivityStreamsContentProperty()
	content.AppendXMLSchemaString(reactionEmoji(in.Reaction.Kind))
	like.SetActivityStreamsContent(content)
	return emojiReact{like}, nil
}

// NewUndoReaction builds Undo{Like|EmojiReact} withdrawing a reaction, addressed as the
// reaction was.
func NewUndoReaction(in ReactionActivity) (vocab.ActivityStreamsUndo, error) {
	r, err := NewReaction(in)
	if err != nil {
		return nil, err
	}
	u := streams.NewActivityStreamsUndo()
	u.SetJSONLDId(idProp(mustIRI(UndoID(in.Reaction.URI))))
	u.SetActivityStreamsActor(actorProp(mustIRI(in.Actor.URI)))
	obj := streams.NewActivityStreamsObjectProperty()
	obj.AppendActivityStreamsLike(r)
	u.SetActivityStreamsObject(obj)
	u.SetActivityStreamsTo(copyTo(r.GetActivityStreamsTo()))
	u.SetActivityStreamsCc(copyCc(r.GetActivityStreamsCc()))
	return u, nil
}

// reactionEmoji is the emoji of a reaction kind.
func reactionEmoji(kind string) string {
	for _, k := range model.ReactionKinds {
		if k.Kind == kind {
			return k.Emoji
		}
	}
	return ""
}

// emojiReact is a Like written with the type EmojiReact, which go-fed v1.0.0 lacks. Its
// unknown-property map cannot override "type", so serialization is wrapped instead; the
// wrapper still is a vocab.ActivityStreamsLike and so fits go-fed's object properties.
type emojiReact struct{ vocab.ActivityStreamsLike }

// GetTypeName names the type as serialized.
func (e emojiReact) GetTypeName() string { return TypeEmojiReact }

// Serialize writes the Like with its type replaced.
func (e emojiReact) Serialize() (map[string]interface{}, error) {
	m, err := e.ActivityStreamsLike.Serialize()
	if err != nil {
		return nil, err
	}
	m["type"] = TypeEmojiReact
	return m, nil
}

// NewUpdatePerson builds Update{Person} of a local account's changed profile, addressed
// to its followers and the company (the directory of every sibling node).
func NewUpdatePerson(u model.URIs, a *model.Account, x PersonExtras) (vocab.ActivityStreamsUpdate, error) {
	person, err := PersonToAS(a, x)
	if err != nil {
		return nil, err
	}
	actor := mustIRI(a.URI)
	up := streams.NewActivityStreamsUpdate()
	up.SetJSONLDId(idProp(mustIRI(ProfileUpdateID(a.URI, a.UpdatedAt))))
	up.SetActivityStreamsActor(actorProp(actor))
	obj := streams.NewActivityStreamsObjectProperty()
	obj.AppendActivityStreamsPerson(person)
	up.SetActivityStreamsObject(obj)
	to, cc, err := addressing([]string{FollowersURI(a.URI)}, []string{u.Company()})
	if err != nil {
		return nil, fmt.Errorf("activitypub: update person %q: %w", a.URI, err)
	}
	up.SetActivityStreamsTo(to)
	up.SetActivityStreamsCc(cc)
	pub := streams.NewActivityStreamsPublishedProperty()
	pub.Set(a.UpdatedAt.UTC())
	up.SetActivityStreamsPublished(pub)
	return up, nil
}

// ActivityID returns the id of an activity built here.
func ActivityID(t vocab.Type) (string, error) {
	if t == nil || t.GetJSONLDId() == nil || t.GetJSONLDId().Get() == nil {
		return "", errors.New("activitypub: activity without id")
	}
	return t.GetJSONLDId().Get().String(), nil
}

// actorProp is an actor property naming one actor.
func actorProp(u *url.URL) vocab.ActivityStreamsActorProperty {
	p := streams.NewActivityStreamsActorProperty()
	p.AppendIRI(u)
	return p
}

// addressing builds to and cc from IRIs, refusing as:Public; nil for an empty list.
func addressing(to, cc []string) (vocab.ActivityStreamsToProperty, vocab.ActivityStreamsCcProperty, error) {
	var toProp vocab.ActivityStreamsToProperty
	var ccProp vocab.ActivityStreamsCcProperty
	for _, s := range to {
		u, err := addressee(s)
		if err != nil {
			return nil, nil, err
		}
		if toProp == nil {
			toProp = streams.NewActivityStreamsToProperty()
		}
		toProp.AppendIRI(u)
	}
	for _, s := range cc {
		u, err := addressee(s)
		if err != nil {
			return nil, nil, err
		}
		if ccProp == nil {
			ccProp = streams.NewActivityStreamsCcProperty()
		}
		ccProp.AppendIRI(u)
	}
	return toProp, ccProp, nil
}

// addressee parses one recipient IRI; as:Public is never addressed.
func addressee(s string) (*url.URL, error) {
	if IsPublic(s) {
		return nil, ErrPublicAddressing
	}
	return ParseIRI(s)
}

// copyTo copies the IRIs of a to property (nil stays nil).
func copyTo(p vocab.ActivityStreamsToProperty) vocab.ActivityStreamsToProperty {
	if p == nil || p.Len() == 0 {
		return nil
	}
	out := streams.NewActivityStreamsToProperty()
	for it := p.Begin(); it != p.End(); it = it.Next() {
		if it.IsIRI() {
			out.AppendIRI(it.GetIRI())
		}
	}
	return out
}

// copyCc copies the IRIs of a cc property (nil stays nil).
func copyCc(p vocab.ActivityStreamsCcProperty) vocab.ActivityStreamsCcProperty {
	if p == nil || p.Len() == 0 {
		return nil
	}
	out := streams.NewActivityStreamsCcProperty()
	for it := p.Begin(); it != p.End(); it = it.Next() {
		if it.IsIRI() {
			out.AppendIRI(it.GetIRI())
		}
	}
	return out
}
