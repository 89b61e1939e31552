package benchdata

import (
	"context"
	"fmt"
	"math/rand"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/alexedwards/argon2id"
	"github.com/atrium-intranet/atrium/internal/fulltext"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/storage"
	"github.com/oklog/ulid/v2"
	"github.com/uptrace/bun"
)

// BaseURL is the origin the seeded accounts' URIs name; a node serving the set should
// run with it as its base URL so that the URIs are its own.
const BaseURL = "http://127.0.0.1:8080"

const (
	batchRows   = 1_000  // rows per INSERT
	commitPosts = 50_000 // posts per transaction
)

// Vocabulary: common English and German words, stopwords included as people write
// them, and a long tail of made-up words, drawn with Zipf's law per language.
var (
	englishWords = strings.Fields(`the of and to a in is it you that he was for on are with as I his they be at one
		have this from or had by hot word but what some we can out other were all there when up use your how said
		an each she which do their time if will way about many then them write would like so these her long make
		thing see him two has look more day could go come did number sound no most people my over know water than
		call first who may down side been now find any new work part take get place made live where after back
		little only round man year came show every good me give our under name very through just form sentence great
		think say help low line differ turn cause much mean before move right boy old too same tell does set three
		want air well also play small end put home read hand port large spell add even land here must big high such
		follow act why ask men change went light kind off need house picture try us again animal point mother world
		near build self earth father meeting planning project budget release customer report review deadline team
		running planned update roadmap quarter sales invoice contract office travel training workshop onboarding`)
	germanWords = strings.Fields(`der die und in den von zu das mit sich des auf für ist im dem nicht ein eine als auch
		es an werden aus er hat dass sie nach wird bei einer um am sind noch wie einem über einen so zum war haben nur
		oder aber vor zur bis mehr durch man sein wurde sei in prozent hatte kann gegen vom können schon wenn habe seine
		mark ihre dann unter wir soll ich eines jahr zwei jahren diese dieser wieder keine uhr seiner worden und will
		zwischen immer millionen was sagte gibt alle seit muss doch jetzt drei neue damit bereits da ihr seinen müssen
		häuser haus hauses planung besprechung projekt bericht kunden vertrag rechnung büro reise schulung abteilung
		mitarbeiter mitarbeiterinnen termin frist freigabe umsatz quartal straße stadt zukunft entwicklung ergebnis`)
)

// syllables make the made-up words of the long tail.
var syllables = strings.Fields("ka lo mi ter ban sol rin dus vek mor tal gen pra sen dor lix nuv ham bri zet qua fel wo ple")

// seed fills store with n posts by 2,000 accounts: English and German text of 8 to
// 60 words, 70% company, 15% site, 15% followers posts, one in ten a group post (some
// pending), 15% comments, a quarter carrying one of 300 hashtags. It writes the rows
// and the search index with bulk inserts, 50,000 posts per transaction; on PostgreSQL the
// GIN index is built after the load, as a bulk import would.
func seed(ctx context.Context, store *storage.Store, opts Options) (*Set, error) {
	n := opts.Posts
	db := store.DB()
	hash, err := argon2id.CreateHash(Password, argon2id.DefaultParams)
	if err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewSource(20261125))
	entropy := ulid.Monotonic(rand.New(rand.NewSource(1)), 0)
	uris := model.NewURIs(BaseURL)
	newID := func(t time.Time) string { return ulid.MustNew(ulid.Timestamp(t), entropy).String() }
	end := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	begin := end.AddDate(-2, 0, 0)

	first := strings.Fields("Anna Ben Clara David Emma Felix Greta Hannes Ida Jonas Katrin Lukas Mia Noah Olivia Paul Rosa Simon Tara Uwe")
	last := strings.Fields("Schmidt Müller Schneider Fischer Weber Meyer Wagner Becker Smith Jones Brown Taylor Wilson Evans Thomas Roberts")
	departments := []string{"Engineering", "Vertrieb", "Marketing", "Finanzen", "People", "Support", "Legal", "Operations"}
	accounts := make([]model.Account, Users)
	for i := range accounts {
		name := fmt.Sprintf("user%04d", i)
		accounts[i] = model.Account{ID: newID(begin), Username: name, URI: uris.Actor(name), InboxURI: uris.Inbox(name),
			Role: model.RoleMember, Email: name + "@example.com", PasswordHash: hash,
			DisplayName: first[i%len(first)] + " " + last[(i/len(first))%len(last)], JobTitle: "Specialist",
			Department: departments[i%len(departments)], Site: "Berlin", CreatedAt: begin, UpdatedAt: begin}
	}
	viewer := &accounts[1]
	var follows []model.Follow
	for i := 0; i < Followees; i++ {
		f := &accounts[10+i*7]
		follows = append(follows, model.Follow{FollowerID: viewer.ID, FolloweeID: f.ID,
			URI: uris.Follow(viewer.Username, newID(begin)), Accepted: true, CreatedAt: begin})
	}
	groups := make([]model.Group, Groups)
	var members []model.Membership
	groupMembers := make([][]*model.Account, Groups)
	for i := range groups {
		name := fmt.Sprintf("group%02d", i)
		groups[i] = model.Group{ID: newID(begin), Name: name, URI: uris.Group(name), InboxURI: uris.GroupInbox(name),
			DisplayName: "Team " + name, Kind: []model.GroupKind{model.GroupOpen, model.GroupClosed, model.GroupSecret}[i%3],
			PreModeration: i%4 == 3, CreatedAt: begin, UpdatedAt: begin}
		seen := map[int]bool{}
		if i < 5 {
			seen[1] = true
		}
		for len(seen) < 60 {
			seen[2+rng.Intn(Users-2)] = true
		}
		for j := range seen {
			groupMembers[i] = append(groupMembers[i], &accounts[j])
			members = append(members, model.Membership{GroupID: groups[i].ID, AccountID: accounts[j].ID,
				Role: model.GroupMember, State: model.MemberActive, CreatedAt: begin, UpdatedAt: begin})
		}
	}
	err = db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		for _, rows := range []any{&accounts, &follows, &groups, &members} {
			if err := insertAny(ctx, tx, rows); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}

	// The long tail: 30,000 made-up words shared by both languages.
	tail := make([]string, 30_000)
	for i := range tail {
		var w strings.Builder
		for k := 0; k < 2+rng.Intn(3); k++ {
			w.WriteString(syllables[rng.Intn(len(syllables))])
		}
		tail[i] = w.String()
	}
	zipf := func(vocab int) *rand.Zipf { return rand.NewZipf(rng, 1.1, 4, uint64(vocab-1)) }
	enZipf, deZipf := zipf(len(englishWords)+len(tail)), zipf(len(germanWords)+len(tail))
	word := func(lang []string, z *rand.Zipf) string {
		k := int(z.Uint64())
		if k < len(lang) {
			return lang[k]
		}
		return tail[k-len(lang)]
	}
	tagZipf := rand.NewZipf(rng, 1.2, 2, Tags-1)

	df := map[string]int{}
	set := &Set{Posts: n, ViewerID: viewer.ID}
	for _, a := range accounts {
		set.Accounts = append(set.Accounts, Account{ID: a.ID, Username: a.Username})
	}
	for _, g := range groups {
		set.GroupIDs = append(set.GroupIDs, g.ID)
	}
	var topLevel []*model.Post // the 200 most recent, for comments
	if store.Postgres() {
		if _, err := db.ExecContext(ctx, "DROP INDEX post_search_tsv"); err != nil {
			return nil, err
		}
	}
	nextSearchID := int64(1) // SQLite's post_search is empty: ids are assigned here
	span := end.Sub(begin)
	for done := 0; done < n; {
		chunk := min(commitPosts, n-done)
		posts := make([]model.Post, chunk)
		roots := make([]*model.Post, chunk) // each post's thread root, for the search rows
		var tags []model.PostTag
		for i := range posts {
			at := begin.Add(time.Duration(int64(span) / int64(n) * int64(done+i))).Truncate(time.Microsecond)
			p := &posts[i]
			author := &accounts[rng.Intn(Users)]
			*p = model.Post{ID: newID(at), AccountID: author.ID, State: model.PostPublished, Local: true, CreatedAt: at, UpdatedAt: at}
			p.URI = uris.Post(p.ID)
			if len(topLevel) > 0 && rng.Intn(100) < 15 {
				root := topLevel[rng.Intn(len(topLevel))]
				roots[i] = root
				p.AccountID, p.Audience, p.GroupID, p.RootID, p.InReplyToID = root.AccountID, root.Audience, root.GroupID, &root.ID, &root.ID
				set.Comments++
			} else {
				switch r := rng.Intn(100); {
				case r < 70:
					p.Audience = model.AudienceCompany
				case r < 85:
					p.Audience = model.AudienceSite
				default:
					p.Audience = model.AudienceFollowers
				}
				if rng.Intn(10) == 0 {
					g := rng.Intn(Groups)
					p.AccountID, p.Audience, p.GroupID = groupMembers[g][rng.Intn(len(groupMembers[g]))].ID, model.AudienceGroup, &groups[g].ID
					if groups[g].PreModeration && rng.Intn(10) == 0 {
						p.State = model.PostPending
					}
				}
				roots[i] = p
				topLevel = append(topLevel, p)
				if len(topLevel) > 200 {
					topLevel = topLevel[1:]
				}
			}
			lang, z := englishWords, enZipf
			if rng.Intn(2) == 0 {
				lang, z = germanWords, deZipf
			}
			words := make([]string, 8+rng.Intn(53))
			seen := map[string]bool{}
			for k := range words {
				words[k] = word(lang, z)
				if !seen[words[k]] {
					seen[words[k]] = true
					df[words[k]]++
				}
			}
			words[0] = strings.ToUpper(words[0][:1]) + words[0][1:]
			text := strings.Join(words, " ") + "."
			if rng.Intn(4) == 0 {
				tag := fmt.Sprintf("topic%03d", tagZipf.Uint64())
				tags = append(tags, model.PostTag{PostID: p.ID, Tag: tag})
				text += fmt.Sprintf(` <a href="/tags/%s" class="hashtag">#%s</a>`, tag, tag)
			}
			p.Source, p.HTML = text, "<p>"+text+"</p>"
		}
		terms := parallelTerms(posts)
		err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			if err := insertBatches(ctx, tx, posts); err != nil {
				return fmt.Errorf("posts: %w", err)
			}
			if err := insertBatches(ctx, tx, tags); err != nil {
				return fmt.Errorf("tags: %w", err)
			}
			for i := 0; i < len(posts); i += batchRows {
				j := min(i+batchRows, len(posts))
				if err := insertSearchRows(ctx, tx, store.Postgres(), posts[i:j], roots[i:j], terms[i:j], nextSearchID); err != nil {
					return fmt.Errorf("search index: %w", err)
				}
				nextSearchID += int64(j - i)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		// Keep only what later chunks need: copies of the recent top-level posts.
		for i, p := range topLevel {
			cp := *p
			topLevel[i] = &cp
		}
		done += chunk
		opts.Logf("benchdata: %d of %d posts", done, n)
	}
	if store.Postgres() {
		// One statement, so the setting applies to the connection that builds the index.
		err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			if _, err := tx.ExecContext(ctx, "SET LOCAL maintenance_work_mem = '512MB'"); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, "CREATE INDEX post_search_tsv ON post_search USING GIN (tsv)")
			return err
		})
		if err != nil {
			return nil, err
		}
		// VACUUM as well: a node's autovacuum gets there, and it sets the visibility map.
		if _, err := db.ExecContext(ctx, "VACUUM ANALYZE"); err != nil {
			return nil, err
		}
	}

	// The indexed words closest to 0.01%, 0.5%, 3% and 15% of the posts.
	for _, target := range WordShares {
		best, bestGap := "", 2.0
		for w, c := range df {
			terms := fulltext.Parse(w)
			if terms.Empty() || len(terms.Forms[0]) > 1 {
				continue // stopwords and words with stems match more than counted
			}
			gap := float64(c)/float64(n) - target
			if gap < 0 {
				gap = -gap
			}
			if gap < bestGap || gap == bestGap && w < best {
				best, bestGap = w, gap
			}
		}
		set.Words = append(set.Words, WordDF{Word: best, DF: df[best]})
	}
	return set, nil
}

// parallelTerms computes the index terms of posts on every core.
func parallelTerms(posts []model.Post) []string {
	out := make([]string, len(posts))
	workers := runtime.NumCPU()
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < len(posts); i += workers {
				out[i] = fulltext.Terms(fulltext.PlainText(posts[i].HTML))
			}
		}(w)
	}
	wg.Wait()
	return out
}

// insertSearchRows writes the index rows storage writes for each post, in bulk: the
// post's terms and its thread root's visibility columns.
func insertSearchRows(ctx context.Context, tx bun.Tx, pg bool, posts []model.Post, roots []*model.Post, terms []string, firstID int64) error {
	var q strings.Builder
	args := make([]any, 0, 7*len(posts))
	if pg {
		q.WriteString("INSERT INTO post_search (post_id, root_id, tsv, account_id, audience, group_id, state) VALUES ")
		for i := range posts {
			if i > 0 {
				q.WriteString(", ")
			}
			r := roots[i]
			q.WriteString("(?, ?, to_tsvector('simple', ?), ?, ?, ?, ?)")
			args = append(args, posts[i].ID, r.ID, terms[i], r.AccountID, r.Audience, r.GroupID, r.State)
		}
		_, err := tx.ExecContext(ctx, q.String(), args...)
		return err
	}
	q.WriteString("INSERT INTO post_search (id, post_id, root_id, account_id, audience, group_id, state) VALUES ")
	for i := range posts {
		if i > 0 {
			q.WriteString(", ")
		}
		r := roots[i]
		q.WriteString("(?, ?, ?, ?, ?, ?, ?)")
		args = append(args, firstID+int64(i), posts[i].ID, r.ID, r.AccountID, r.Audience, r.GroupID, r.State)
	}
	if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
		return err
	}
	q.Reset()
	args = args[:0]
	q.WriteString("INSERT INTO post_fts (rowid, terms) VALUES ")
	for i := range posts {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString("(?, ?)")
		args = append(args, firstID+int64(i), terms[i])
	}
	_, err := tx.ExecContext(ctx, q.String(), args...)
	return err
}

// insertAny inserts a pointer to a slice of models in batches.
func insertAny(ctx context.Context, tx bun.Tx, rows any) error {
	switch r := rows.(type) {
	case *[]model.Account:
		return insertBatches(ctx, tx, *r)
	case *[]model.Follow:
		return insertBatches(ctx, tx, *r)
	case *[]model.Group:
		return insertBatches(ctx, tx, *r)
	case *[]model.Membership:
		return insertBatches(ctx, tx, *r)
	}
	return fmt.Errorf("unknown rows %T", rows)
}

// insertBatches inserts rows batchRows at a time.
func insertBatches[T any](ctx context.Context, tx bun.Tx, rows []T) error {
	for i := 0; i < len(rows); i += batchRows {
		chunk := rows[i:min(i+batchRows, len(rows))]
		if _, err := tx.NewInsert().Model(&chunk).Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}
