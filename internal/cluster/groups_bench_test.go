package cluster_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atrium-intranet/atrium/internal/cluster"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
	"github.com/oklog/ulid/v2"
)

// Sizes of BenchmarkGroupFanout; docs/benchmarks.md records the figures they give.
const (
	// groupFanoutNodes is how many member nodes the group's members live on.
	groupFanoutNodes = 10
	// groupFanoutMembers is how many remote members the group has, spread evenly.
	groupFanoutMembers = 1000
	// groupFanoutRounds is how many group posts one iteration times.
	groupFanoutRounds = 20
)

// BenchmarkGroupFanout times one post in a group of groupFanoutMembers remote members on
// groupFanoutNodes member nodes (SQLite) until every member node has stored it, and
// counts the HTTP POSTs the home node sends for it: the group Announces once per node,
// not once per member. One member per node joins through the real Follow/Accept flow; the
// others are inserted into the home node's store as active remote accounts of that node,
// which is all the fan-out reads. Reported: p50, p99, max in ms and posts-per-post.
func BenchmarkGroupFanout(b *testing.B) {
	ctx := context.Background()
	var posts atomic.Int64
	counting := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPost {
				posts.Add(1)
			}
			h.ServeHTTP(w, r)
		})
	}
	home := cluster.StartOne(b, "sqlite", "Home")
	members := make([]*cluster.Node, groupFanoutNodes)
	for i := range members {
		members[i] = cluster.StartWrapped(b, "sqlite", "Member"+strconv.Itoa(i+1), counting)
		home.Allow(members[i], model.TrustSibling)
		members[i].Allow(home, model.TrustSibling)
	}
	all := append([]*cluster.Node{home}, members...)
	owner := home.User("owner")
	grp, err := home.Social.Groups.Create(ctx, owner, social.GroupInput{Name: "everyone", DisplayName: "Everyone", Kind: model.GroupOpen})
	if err != nil {
		b.Fatal(err)
	}
	perNode := groupFanoutMembers / groupFanoutNodes
	for _, m := range members {
		u := m.User("joiner")
		gv, err := m.Social.Groups.Get(ctx, u, grp.Name+"@"+home.Host)
		if err != nil {
			b.Fatalf("%s gets the group: %v", m, err)
		}
		if _, err := m.Social.Groups.Join(ctx, u, gv.Group.ID); err != nil {
			b.Fatalf("%s joins: %v", m, err)
		}
	}
	cluster.Settle(b, all...)
	for _, m := range members {
		joined := home.Find(m, "joiner")
		if st, err := home.Store.Membership(ctx, grp.ID, joined.ID); err != nil || st.State != model.MemberActive {
			b.Fatalf("%s: joiner is not active at home: %v", m, err)
		}
		addRemoteMembers(b, home, grp.ID, joined, perNode-1)
	}
	if n, err := home.Store.CountActiveMembers(ctx, []string{grp.ID}); err != nil || n[grp.ID] != groupFanoutMembers+1 {
		b.Fatalf("active members: %v %v", n, err)
	}
	// A warm-up post makes every member node fetch the owner's actor.
	warm := groupPost(b, home, owner, grp.ID, "warm-up")
	for _, m := range members {
		waitStored(b, m, warm.URI)
	}
	cluster.Settle(b, all...)

	var lat []time.Duration
	sent := 0
	posts.Store(0)
	b.ResetTimer()
	for range b.N {
		for i := range groupFanoutRounds {
			start := time.Now()
			p := groupPost(b, home, owner, grp.ID, "Group news number "+strconv.Itoa(i))
			var wg sync.WaitGroup
			for _, m := range members {
				wg.Add(1)
				go func() {
					defer wg.Done()
					waitStored(b, m, p.URI)
				}()
			}
			wg.Wait()
			lat = append(lat, time.Since(start))
			sent++
		}
	}
	b.StopTimer()
	cluster.Settle(b, all...)
	reportLatencies(b, lat)
	rows := 0
	for _, d := range home.Deliveries() {
		if strings.Contains(d.Payload, "Group news number") {
			rows++
		}
	}
	b.ReportMetric(float64(posts.Load())/float64(sent), "requests/post")
	b.ReportMetric(float64(rows)/float64(sent), "deliveries/post")
}

// groupPost makes a post in the group groupID on n.
func groupPost(b testing.TB, n *cluster.Node, author *model.Account, groupID, text string) *model.Post {
	p, err := n.Social.Posts.Create(context.Background(), author, social.PostInput{Source: text, GroupID: groupID})
	if err != nil {
		b.Fatalf("group post on %s: %v", n, err)
	}
	return p
}

// addRemoteMembers inserts count active members of groupID into home's store: remote
// accounts of like's node (same shared inbox), in two bulk inserts.
func addRemoteMembers(b testing.TB, home *cluster.Node, groupID string, like *model.Account, count int) {
	ctx := context.Background()
	now := time.Now().UTC()
	accts := make([]*model.Account, 0, count)
	rows := make([]*model.Membership, 0, count)
	base := strings.TrimSuffix(like.URI, "/"+like.Username)
	for i := range count {
		a := *like
		a.ID = ulid.Make().String()
		a.Username = "member" + strconv.Itoa(i)
		a.URI = base + "/" + a.Username
		a.InboxURI = a.URI + "/inbox"
		a.FollowersURI = a.URI + "/followers"
		a.CreatedAt, a.UpdatedAt = now, now
		accts = append(accts, &a)
		rows = append(rows, &model.Membership{GroupID: groupID, AccountID: a.ID, Role: model.GroupMember,
			State: model.MemberActive, FollowURI: a.URI + "#follows/bench", CreatedAt: now, UpdatedAt: now})
	}
	db := home.Store.DB()
	if _, err := db.NewInsert().Model(&accts).Exec(ctx); err != nil {
		b.Fatalf("insert accounts: %v", err)
	}
	if _, err := db.NewInsert().Model(&rows).Exec(ctx); err != nil {
		b.Fatalf("insert memberships: %v", err)
	}
}
