package activitypub

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/atrium-intranet/atrium/model"
	"github.com/go-fed/activity/streams"
	"github.com/go-fed/activity/streams/vocab"
)

// TypeGroup is the Group actor type, the object of a group's Update of itself.
const TypeGroup = "Group"

// GroupUpdateID is the id of the Update a group publishes when its settings or pictures
// change at updated.
func GroupUpdateID(groupURI string, updated time.Time) string {
	return groupURI + "#update-" + strconv.FormatInt(updated.UnixNano(), 10)
}

// NewUpdateGroup builds Update{Group} by which a local group tells its members' nodes
// its new name, description, kind or pictures, with the @context of the node at origin.
// The Group document is written as plain JSON (GroupToAS) and read into go-fed, which
// keeps the members it has no property for (endpoints, Atrium terms) as they are.
func NewUpdateGroup(origin string, g *model.Group) (vocab.ActivityStreamsUpdate, error) {
	doc, err := GroupToAS(origin, g)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("activitypub: update group %q: %w", g.URI, err)
	}
	var m map[string]interface{}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("activitypub: update group %q: %w", g.URI, err)
	}
	t, err := streams.ToType(context.Background(), m)
	if err != nil {
		return nil, fmt.Errorf("activitypub: update group %q: %w", g.URI, err)
	}
	grp, ok := t.(vocab.ActivityStreamsGroup)
	if !ok {
		return nil, errors.New("activitypub: update group: document is no Group")
	}
	up := streams.NewActivityStreamsUpdate()
	up.SetJSONLDId(idProp(mustIRI(GroupUpdateID(g.URI, g.UpdatedAt))))
	up.SetActivityStreamsActor(actorProp(mustIRI(g.URI)))
	obj := streams.NewActivityStreamsObjectProperty()
	obj.AppendActivityStreamsGroup(grp)
	up.SetActivityStreamsObject(obj)
	to := streams.NewActivityStreamsToProperty()
	to.AppendIRI(mustIRI(GroupMembersURI(g.URI)))
	up.SetActivityStreamsTo(to)
	pub := streams.NewActivityStreamsPublishedProperty()
	pub.Set(g.UpdatedAt.UTC())
	up.SetActivityStreamsPublished(pub)
	return up, nil
}

// embeddedGroup reads the Group of an Update, which only the group may send of itself.
func (a *RemoteActivity) embeddedGroup(o map[string]interface{}, jsonld interface{}) error {
	b, err := withContext(o, jsonld)
	if err != nil {
		return err
	}
	if a.Group, err = ParseGroup(b); err != nil {
		return err
	}
	if a.Group.Group.URI != a.ActorURI {
		return fmt.Errorf("%w: Update of another group %q", ErrInvalid, a.Group.Group.URI)
	}
	return nil
}
