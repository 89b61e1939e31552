package main

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
)

// demoDeliveryTimeout bounds each wait for the seeded deliveries.
const demoDeliveryTimeout = 60 * time.Second

// seed fills the demo through the same rules a user's clicks go through, so every
// federated effect travels over signed HTTP between the nodes. It returns how many
// deliveries failed.
func (c *demoCluster) seed(ctx context.Context, world demoWorld) (int, error) {
	if err := c.seedPeople(ctx); err != nil {
		return 0, err
	}
	if err := c.seedPeers(ctx); err != nil {
		return 0, err
	}
	if err := c.seedFollows(ctx, world.follows); err != nil {
		return 0, err
	}
	// Followers posts go to the nodes of accepted followers only: the Accepts must be back.
	if err := c.waitDelivered(ctx); err != nil {
		return 0, err
	}
	posts, err := c.seedPosts(ctx, world.posts)
	if err != nil {
		return 0, err
	}
	if err := c.waitDelivered(ctx); err != nil {
		return 0, err
	}
	if err := c.seedReplies(ctx, world, posts); err != nil {
		return 0, err
	}
	if err := c.waitDelivered(ctx); err != nil {
		return 0, err
	}
	return c.count(ctx, model.DeliveryFailed)
}

// node returns the demo node of the named site.
func (c *demoCluster) node(site string) *demoNode {
	for _, d := range c.nodes {
		if d.site.name == site {
			return d
		}
	}
	panic("demo: unknown site " + site) // the demo data names only its own sites
}

// local returns the seeded account ref names, on its own node.
func (c *demoCluster) local(ref demoRef) *model.Account {
	a := c.node(ref.site).accounts[ref.user]
	if a == nil {
		panic("demo: unknown account " + ref.user + " of " + ref.site)
	}
	return a
}

// seedPeople creates every node's accounts, then their profiles (managers must exist
// first). Nodes work side by side: each account gets an RSA key pair.
func (c *demoCluster) seedPeople(ctx context.Context) error {
	errs := make([]error, len(c.nodes))
	var wg sync.WaitGroup
	for i, d := range c.nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = d.seedPeople(ctx)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

func (d *demoNode) seedPeople(ctx context.Context) error {
	svc := d.n.Social
	email := func(p demoPerson) string { return p.username + "@" + d.site.emailDomain }
	for _, p := range d.site.people {
		role := model.RoleMember
		if p.admin {
			role = model.RoleAdmin
		}
		a, err := svc.Accounts.Create(ctx, social.NewAccount{Username: p.username, Email: email(p),
			Password: demoPassword, DisplayName: p.name, Role: role})
		if err != nil {
			return fmt.Errorf("%s: create %s: %w", d.site.name, p.username, describe(err))
		}
		d.accounts[p.username] = a
	}
	for _, p := range d.site.people {
		a := d.accounts[p.username]
		err := svc.Profiles.Update(ctx, a, social.ProfileInput{DisplayName: p.name, JobTitle: p.title,
			Department: p.department, Site: d.site.name, Phone: p.phone, Email: email(p), Manager: p.manager,
			Skills: p.skills, About: p.about})
		if err != nil {
			return fmt.Errorf("%s: profile of %s: %w", d.site.name, p.username, describe(err))
		}
		// Later steps act as this account; take it with its profile.
		if d.accounts[p.username], err = svc.Accounts.ByHandle(ctx, p.username); err != nil {
			return fmt.Errorf("%s: reload %s: %w", d.site.name, p.username, err)
		}
	}
	return nil
}

// seedPeers allows the siblings as siblings of each other and, both ways, the partner
// as a partner.
func (c *demoCluster) seedPeers(ctx context.Context) error {
	for _, a := range c.nodes {
		for _, b := range c.nodes {
			if a == b || (a.site.partner && b.site.partner) {
				continue
			}
			trust := model.TrustSibling
			if a.site.partner || b.site.partner {
				trust = model.TrustPartner
			}
			if _, err := a.n.Social.Peers.Add(ctx, social.SystemActor(), b.url, trust, b.site.name); err != nil {
				return fmt.Errorf("%s allows %s: %w", a.site.name, b.site.name, describe(err))
			}
		}
	}
	return nil
}

// seedFollows makes the follows: a remote followee is looked up by handle, which fetches
// its actor over federation, and the Follow goes to its node.
func (c *demoCluster) seedFollows(ctx context.Context, follows []demoFollow) error {
	for _, f := range follows {
		at, follower := c.node(f.from.site), c.local(f.from)
		handle := f.to.user
		if f.to.site != f.from.site {
			handle += "@" + c.node(f.to.site).host
		}
		followee, err := at.n.Social.Accounts.ByHandle(ctx, handle)
		if err != nil {
			return fmt.Errorf("%s looks up %s: %w", f.from.site, handle, err)
		}
		if err := at.n.Social.Follows.Follow(ctx, follower, followee.ID); err != nil {
			return fmt.Errorf("%s@%s follows %s: %w", f.from.user, f.from.site, handle, describe(err))
		}
	}
	return nil
}

// seedPosts publishes the posts and returns them by key.
func (c *demoCluster) seedPosts(ctx context.Context, list []demoPost) (map[string]*model.Post, error) {
	posts := make(map[string]*model.Post, len(list))
	for _, p := range list {
		post, err := c.node(p.author.site).n.Social.Posts.Create(ctx, c.local(p.author),
			social.PostInput{Source: p.text, Audience: p.audience})
		if err != nil {
			return nil, fmt.Errorf("%s@%s posts %s: %w", p.author.user, p.author.site, p.key, describe(err))
		}
		posts[p.key] = post
	}
	return posts, nil
}

// seedReplies writes the comments and likes, each on the commenter's own node, on the
// copy of the post that federation brought there.
func (c *demoCluster) seedReplies(ctx context.Context, world demoWorld, posts map[string]*model.Post) error {
	postAt := func(key string, ref demoRef) (string, error) {
		p := posts[key]
		post, err := c.node(ref.site).n.Store.PostByURI(ctx, p.URI)
		if err != nil {
			return "", fmt.Errorf("post %s on %s: %w", key, ref.site, err)
		}
		return post.ID, nil
	}
	for _, cm := range world.comments {
		id, err := postAt(cm.key, cm.author)
		if err != nil {
			return err
		}
		_, err = c.node(cm.author.site).n.Social.Posts.Create(ctx, c.local(cm.author),
			social.PostInput{Source: cm.text, InReplyToID: id})
		if err != nil {
			return fmt.Errorf("%s@%s comments on %s: %w", cm.author.user, cm.author.site, cm.key, describe(err))
		}
	}
	for _, l := range world.likes {
		id, err := postAt(l.key, l.who)
		if err != nil {
			return err
		}
		if err := c.node(l.who.site).n.Social.Posts.React(ctx, c.local(l.who), id, model.ReactionLike, true); err != nil {
			return fmt.Errorf("%s@%s likes %s: %w", l.who.user, l.who.site, l.key, describe(err))
		}
	}
	return nil
}

// waitDelivered polls the nodes' queues until none has a pending delivery in two passes
// running: a delivery received by one node may queue an answer (an Accept) on it just
// after that node was looked at.
func (c *demoCluster) waitDelivered(ctx context.Context) error {
	deadline := time.Now().Add(demoDeliveryTimeout)
	quiet := 0
	for {
		pending, err := c.count(ctx, model.DeliveryPending)
		if err != nil {
			return err
		}
		if pending == 0 {
			quiet++
		} else {
			quiet = 0
		}
		if quiet == 2 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%d deliveries still pending after %s (run with --log-level info to see why)", pending, demoDeliveryTimeout)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// count adds up the deliveries in state s over every node.
func (c *demoCluster) count(ctx context.Context, s model.DeliveryStatus) (int, error) {
	total := 0
	for _, d := range c.nodes {
		counts, err := d.n.Store.DeliveryCounts(ctx)
		if err != nil {
			return 0, fmt.Errorf("delivery queue of %s: %w", d.site.name, err)
		}
		total += counts[s]
	}
	return total, nil
}
