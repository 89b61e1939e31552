package federation

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/atrium-intranet/atrium/activitypub"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
)

// Bounds of reading one sibling's directory; a directory beyond them is read in part,
// and then nobody of that node is taken out of this node's directory.
const (
	MaxDirectoryPages  = 500
	MaxDirectoryPeople = 50_000
)

// errDirectoryIncomplete marks a read that stopped before the directory's end.
var errDirectoryIncomplete = errors.New("federation: directory read incomplete")

// DirectorySyncer reads the member directories of the sibling nodes, with signed
// requests as the node actor, and stores the people they list through the rules
// (social.Remote). One read runs at a time. It implements social.DirectorySyncer.
type DirectorySyncer struct {
	res  *Resolver
	log  *slog.Logger
	mu   sync.Mutex
	kick chan struct{}
}

var _ social.DirectorySyncer = (*DirectorySyncer)(nil)

// NewDirectorySyncer returns a DirectorySyncer fetching and storing through res.
func NewDirectorySyncer(res *Resolver, log *slog.Logger) *DirectorySyncer {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &DirectorySyncer{res: res, log: log, kick: make(chan struct{}, 1)}
}

// Kick asks Run for a read soon; it never waits.
func (d *DirectorySyncer) Kick() {
	select {
	case d.kick <- struct{}{}:
	default:
	}
}

// kickSettle is how long a kicked read waits, gathering further kicks.
const kickSettle = 2 * time.Second

// Run reads the directories after firstDelay, then every interval, and whenever kicked,
// until ctx ends. A zero interval turns the schedule off; kicks are still served.
func (d *DirectorySyncer) Run(ctx context.Context, interval, firstDelay time.Duration) {
	var tick <-chan time.Time
	var timer *time.Timer
	if interval > 0 {
		timer = time.NewTimer(firstDelay)
		defer timer.Stop()
		tick = timer.C
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick:
		case <-d.kick:
			// Peers are often allowed several in a row, on both sides at about the same
			// time: read once, after the other side has had a moment to allow this node.
			select {
			case <-ctx.Done():
				return
			case <-time.After(kickSettle):
			}
			select {
			case <-d.kick:
			default:
			}
		}
		if _, err := d.Sync(ctx); err != nil && ctx.Err() == nil {
			d.log.WarnContext(ctx, "directory sync incomplete", "err", err)
		}
		if timer != nil {
			timer.Reset(interval) // the next scheduled read counts from this one
		}
	}
}

// Sync reads every sibling's directory now. A node that cannot be read is skipped and
// keeps what is cached of it; the first such error is returned with the result.
// Managers are resolved once all nodes are read, because a manager may be listed by
// another node than their reports.
func (d *DirectorySyncer) Sync(ctx context.Context) (social.DirectorySyncResult, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	var res social.DirectorySyncResult
	peers, err := d.res.store.Peers(ctx)
	if err != nil {
		return res, err
	}
	var links []social.ManagerLink
	var first error
	for _, p := range peers {
		if p.Trust != model.TrustSibling || activitypub.SameOrigin(p.Origin, d.res.origin) {
			continue
		}
		got, people, unlisted, err := d.syncNode(ctx, p)
		links = append(links, got...)
		if err != nil {
			res.Failed++
			d.log.WarnContext(ctx, "directory of a sibling not read", "peer", p.Origin, "people", people, "err", err)
			if first == nil {
				first = err
			}
			continue
		}
		res.Nodes++
		res.People += people
		res.Unlisted += unlisted
		d.log.InfoContext(ctx, "directory of a sibling read", "peer", p.Origin, "people", people, "unlisted", unlisted)
	}
	changed, err := d.res.remote.ResolveManagers(ctx, links)
	if err != nil && first == nil {
		first = err
	}
	d.log.InfoContext(ctx, "directory sync done", "nodes", res.Nodes, "failed", res.Failed, "people", res.People,
		"unlisted", res.Unlisted, "managers_changed", changed)
	return res, first
}

// syncNode reads one sibling's directory page by page and stores its people. Only a
// complete read takes people the node no longer lists out of the directory.
func (d *DirectorySyncer) syncNode(ctx context.Context, p *model.Peer) (links []social.ManagerLink, people, unlisted int, err error) {
	seenAt := d.res.now().UTC().Truncate(time.Microsecond)
	origin := strings.TrimRight(p.Origin, "/")
	b, _, err := d.res.fetcher.Fetch(ctx, origin+DirectoryPath)
	if err != nil {
		return nil, 0, 0, err
	}
	coll, err := activitypub.ParseDirectoryCollection(b)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("federation: directory of %s: %w", origin, err)
	}
	if !activitypub.SameOrigin(coll.ID, origin) {
		return nil, 0, 0, fmt.Errorf("federation: directory of %s: %w: id %q", origin, activitypub.ErrOriginMismatch, coll.ID)
	}
	u, _ := url.Parse(coll.ID)
	domain := strings.ToLower(u.Host)
	visited := map[string]bool{}
	for next, pages := coll.First, 0; next != ""; pages++ {
		if pages == MaxDirectoryPages || people >= MaxDirectoryPeople || visited[next] {
			return links, people, 0, fmt.Errorf("%w: %s after %d pages, %d people", errDirectoryIncomplete, origin, pages, people)
		}
		visited[next] = true
		b, _, err := d.res.fetcher.Fetch(ctx, next)
		if err != nil {
			return links, people, 0, err
		}
		page, err := activitypub.ParseDirectoryPage(ctx, b)
		if err != nil {
			return links, people, 0, fmt.Errorf("federation: directory page %s: %w", next, err)
		}
		if !activitypub.SameOrigin(page.ID, origin) {
			return links, people, 0, fmt.Errorf("federation: directory page %s: %w", next, activitypub.ErrOriginMismatch)
		}
		if page.Invalid > 0 {
			d.log.WarnContext(ctx, "directory entries refused", "page", next, "count", page.Invalid, "first", page.FirstInvalid)
		}
		in := make([]social.ActorInput, 0, len(page.People))
		var listed []*activitypub.RemoteActor
		for _, ra := range page.People {
			if ra.Account.Domain != domain {
				continue // written with another host than the node's own ids
			}
			in = append(in, actorInput(ra))
			listed = append(listed, ra)
			links = append(links, social.ManagerLink{AccountURI: ra.Account.URI, ManagerURI: ra.ManagerURI})
		}
		stored, err := d.res.remote.StoreDirectoryPage(ctx, domain, p.Trust, in, seenAt)
		if err != nil {
			return links, people, 0, err
		}
		// Pictures after the page committed, as for any fetched actor: a copy is made
		// only when the icon changed, and a failure is logged, never fatal.
		for i, a := range stored.Accounts {
			if a != nil {
				d.res.syncAvatar(ctx, a, listed[i].IconURL)
			}
		}
		people += len(in)
		next = page.Next
	}
	n, err := d.res.remote.UnlistUnseen(ctx, domain, seenAt)
	return links, people, n, err
}
