package ui

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/atrium-intranet/atrium/internal/testrig"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/storage"
	"github.com/oklog/ulid/v2"
)

// insertDelivery stores a delivery as the outbox would; ids increase per call.
func insertDelivery(t *testing.T, store *storage.Store, origin string, status model.DeliveryStatus, lastErr string) *model.Delivery {
	t.Helper()
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	id := ulid.Make().String()
	d := &model.Delivery{ID: id, ActivityID: testrig.BaseURL + "/posts/" + id, InboxURI: origin + "/inbox",
		Origin: origin, Payload: "{}", Status: status, Attempts: 3, NextAttemptAt: now.Add(time.Hour),
		LastError: lastErr, CreatedAt: now, UpdatedAt: now}
	if _, err := store.DB().NewInsert().Model(d).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	return d
}

func deliveryStatus(t *testing.T, store *storage.Store, id string) model.DeliveryStatus {
	t.Helper()
	d, err := store.DeliveryByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return d.Status
}

func TestAdminFederationForbiddenToMembers(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		u := newTestUI(t, store, false)
		u.account("boss", model.RoleAdmin)
		u.account("bob", model.RoleMember)
		d := insertDelivery(t, store, "http://127.0.0.1:8082", model.DeliveryFailed, "gone")
		c := u.login("bob")
		for _, rec := range []interface{ Result() *http.Response }{
			c.get("/admin/peers"),
			c.get("/admin/queue"),
			c.post("/admin/peers", url.Values{"url": {"http://127.0.0.1:8082"}, "trust": {"sibling"}}),
			c.post("/admin/peers/delete", url.Values{"origin": {"http://127.0.0.1:8082"}}),
			c.post("/admin/queue/"+d.ID+"/retry", nil),
		} {
			if got := rec.Result().StatusCode; got != http.StatusForbidden {
				t.Errorf("member got %d, want 403", got)
			}
		}
		if list, _ := store.Peers(context.Background()); len(list) != 0 {
			t.Fatal("member added a peer")
		}
		if deliveryStatus(t, store, d.ID) != model.DeliveryFailed {
			t.Fatal("member retried a delivery")
		}
		wantRedirect(t, u.anonymous().get("/admin/peers"), "/login?next=%2Fadmin%2Fpeers")
	})
}

func TestAdminPeersPage(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		u := newTestUI(t, store, false)
		u.account("boss", model.RoleAdmin)
		c := u.login("boss")

		rec := c.get("/admin/peers")
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, `<nav class="tabs" aria-label="Administration">`, `href="/admin/peers" aria-current="page">Peers</a>`,
			`href="/admin/queue"`, "No nodes are allowed yet", `<code id="self-origin">http://127.0.0.1:8080</code>`,
			`<label for="url">`, `<label for="trust">`, `<label for="name">`, `<option value="sibling" selected>Sibling</option>`)

		for _, tc := range []struct {
			name  string
			form  url.Values
			snips []string
		}{
			{"bad url", url.Values{"url": {"munich"}, "trust": {"partner"}, "name": {"Munich"}},
				[]string{"without a path", `value="munich"`, `value="Munich"`, `<option value="partner" selected>`, `aria-invalid="true"`}},
			{"self", url.Values{"url": {"http://127.0.0.1:8080/"}, "trust": {"sibling"}}, []string{"address of this node itself"}},
			{"trust", url.Values{"url": {"http://127.0.0.1:8082"}, "trust": {"friend"}}, []string{"Choose sibling or partner."}},
			{"long name", url.Values{"url": {"http://127.0.0.1:8082"}, "trust": {"sibling"}, "name": {strings.Repeat("x", 101)}}, []string{"This is too long."}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				rec := c.post("/admin/peers", tc.form)
				wantStatus(t, rec, http.StatusUnprocessableEntity)
				wantBody(t, rec, tc.snips...)
			})
		}
		wantStatus(t, c.post("/admin/peers", url.Values{"url": {"http://127.0.0.1:8082"}, "trust": {"sibling"},
			"csrf": {"forged"}}), http.StatusForbidden)
		if list, _ := store.Peers(context.Background()); len(list) != 0 {
			t.Fatalf("refused forms stored peers: %d", len(list))
		}

		wantRedirect(t, c.post("/admin/peers", url.Values{"url": {"http://127.0.0.1:8082/"}, "trust": {"sibling"},
			"name": {"Munich"}}), "/admin/peers?notice=peer_added")
		wantRedirect(t, c.post("/admin/peers", url.Values{"url": {"HTTPS://partner.example.com"}, "trust": {"partner"}}),
			"/admin/peers?notice=peer_added")
		rec = c.get("/admin/peers?notice=peer_added")
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, "The node is allowed.", "<strong>Munich</strong>", "<code>http://127.0.0.1:8082</code>",
			"<code>https://partner.example.com:443</code>", `<span class="badge">Partner</span>`,
			`name="origin" value="http://127.0.0.1:8082"`, `data-confirm="`+html.EscapeString("Stop federating with http://127.0.0.1:8082?"))

		pending := insertDelivery(t, store, "http://127.0.0.1:8082", model.DeliveryPending, "")
		wantRedirect(t, c.post("/admin/peers/delete", url.Values{"origin": {"http://127.0.0.1:8082"}}), "/admin/peers?notice=peer_removed")
		if deliveryStatus(t, store, pending.ID) != model.DeliveryCancelled {
			t.Fatal("removing the peer did not cancel its pending delivery")
		}
		rec = c.get("/admin/peers")
		wantNoBody(t, rec, "<code>http://127.0.0.1:8082</code>")
		wantBody(t, rec, "<code>https://partner.example.com:443</code>")
		wantStatus(t, c.post("/admin/peers/delete", url.Values{"origin": {"http://127.0.0.1:8082"}}), http.StatusNotFound)
		rec = c.post("/admin/peers/delete", url.Values{"origin": {"not a url"}})
		wantStatus(t, rec, http.StatusUnprocessableEntity)
		wantBody(t, rec, `class="alert" role="alert">Enter a node address`)
	})
}

func TestAdminQueuePage(t *testing.T) {
	testrig.EachDB(t, func(t *testing.T, store *storage.Store) {
		u := newTestUI(t, store, false)
		admin := u.account("boss", model.RoleAdmin)
		c := u.login("boss")
		wantBody(t, c.get("/admin/queue"), "No deliveries.", `href="/admin/queue" aria-current="page">All</a>`)
		if _, err := u.svc.Peers.Add(context.Background(), admin, "http://127.0.0.1:8082", model.TrustSibling, ""); err != nil {
			t.Fatal(err)
		}
		done := insertDelivery(t, store, "http://127.0.0.1:8082", model.DeliveryDelivered, "")
		failed := insertDelivery(t, store, "http://127.0.0.1:8082", model.DeliveryFailed, "POST http://127.0.0.1:8082/inbox: status 410")
		pending := insertDelivery(t, store, "http://127.0.0.1:8082", model.DeliveryPending, "<b>connection refused</b>")
		stranger := insertDelivery(t, store, "http://127.0.0.1:8099", model.DeliveryCancelled, "peer removed")

		rec := c.get("/admin/queue")
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, `href="/admin/queue" aria-current="page">Delivery queue</a>`,
			`<tr id="delivery-`+failed.ID+`">`, "<code>"+failed.ActivityID+"</code>", "to http://127.0.0.1:8082",
			"status 410", `<span class="badge">Failed</span>`, `<span class="badge">Delivered</span>`,
			`action="/admin/queue/`+failed.ID+`/retry"`, `action="/admin/queue/`+pending.ID+`/retry"`,
			"&lt;b&gt;connection refused&lt;/b&gt;", `<time datetime="2026-11-25T10:00:00Z">`)
		wantNoBody(t, rec, `action="/admin/queue/`+done.ID+`/retry"`, "<b>connection")
		// Newest first.
		body := rec.Body.String()
		if strings.Index(body, "delivery-"+stranger.ID) > strings.Index(body, "delivery-"+done.ID) {
			t.Fatal("deliveries are not listed newest first")
		}

		rec = c.get("/admin/queue?status=failed")
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, `href="/admin/queue?status=failed" aria-current="page">Failed</a>`, "delivery-"+failed.ID,
			`name="status" value="failed"`)
		wantNoBody(t, rec, "delivery-"+pending.ID, "delivery-"+done.ID)
		wantStatus(t, c.get("/admin/queue?status=lost"), http.StatusUnprocessableEntity)

		wantRedirect(t, c.post("/admin/queue/"+failed.ID+"/retry", url.Values{"status": {"failed"}}),
			"/admin/queue?notice=delivery_retried&status=failed")
		if deliveryStatus(t, store, failed.ID) != model.DeliveryPending {
			t.Fatal("retry did not make the delivery pending")
		}
		wantBody(t, c.get("/admin/queue?notice=delivery_retried"), "The delivery will be sent again shortly.")

		rec = c.post("/admin/queue/"+done.ID+"/retry", nil)
		wantStatus(t, rec, http.StatusUnprocessableEntity)
		wantBody(t, rec, "This delivery has already arrived.")
		rec = c.post("/admin/queue/"+stranger.ID+"/retry", nil)
		wantStatus(t, rec, http.StatusUnprocessableEntity)
		wantBody(t, rec, "no longer allowed")
		if deliveryStatus(t, store, stranger.ID) != model.DeliveryCancelled {
			t.Fatal("delivery to a non-peer was retried")
		}
		wantStatus(t, c.post("/admin/queue/nope/retry", nil), http.StatusNotFound)
	})
}

func TestAdminQueuePaging(t *testing.T) {
	u := newTestUI(t, testrig.NewStore(t, "sqlite"), false)
	u.account("boss", model.RoleAdmin)
	var rows []*model.Delivery
	for i := 0; i < 52; i++ {
		rows = append(rows, insertDelivery(t, u.store, "http://127.0.0.1:8082", model.DeliveryFailed, "e"))
	}
	c := u.login("boss")
	rec := c.get("/admin/queue?status=failed")
	next := "/admin/queue?" + url.Values{"before": {rows[2].ID}, "status": {"failed"}}.Encode()
	wantBody(t, rec, "delivery-"+rows[51].ID, "delivery-"+rows[2].ID, `href="`+html.EscapeString(next)+`" rel="next"`)
	wantNoBody(t, rec, "delivery-"+rows[1].ID)
	rec = c.get(next)
	wantBody(t, rec, "delivery-"+rows[1].ID, "delivery-"+rows[0].ID, `name="before" value="`+rows[2].ID+`"`)
	wantNoBody(t, rec, "delivery-"+rows[2].ID, `rel="next"`)
}

func TestAdminUsersHasAdminTabs(t *testing.T) {
	u := newTestUI(t, testrig.NewStore(t, "sqlite"), false)
	u.account("boss", model.RoleAdmin)
	wantBody(t, u.login("boss").get("/admin/users"), `href="/admin/users" aria-current="page">Users</a>`,
		`href="/admin/peers">Peers</a>`, `href="/admin/queue">Delivery queue</a>`)
}
