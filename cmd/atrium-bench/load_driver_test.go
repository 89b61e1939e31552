package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// fakeAPI answers the four endpoints the users call, like the node's API would, and
// records the requests it gets.
type fakeAPI struct {
	mu   sync.Mutex
	seen []string
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.seen = append(f.seen, r.Method+" "+r.URL.RequestURI()+" "+r.Header.Get("Authorization"))
	f.mu.Unlock()
	switch {
	case r.URL.Path == "/api/v1/timelines/home" && r.URL.Query().Get("max_id") == "":
		w.Header().Set("Link", `<http://x/api/v1/timelines/home?max_id=p2>; rel="next"`)
		_ = json.NewEncoder(w).Encode([]map[string]string{{"id": "p1"}, {"id": "p2"}})
	case r.URL.Path == "/api/v1/timelines/home":
		_ = json.NewEncoder(w).Encode([]map[string]string{{"id": "p3"}}) // last page: no Link
	case r.Method == http.MethodPost && r.URL.Path == "/api/v1/statuses":
		var body map[string]any
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body["status"] == "" {
			http.Error(w, "bad body", http.StatusUnprocessableEntity)
			return
		}
		if id, ok := body["in_reply_to_id"]; ok && id != "p3" {
			http.Error(w, "not on the last page", http.StatusNotFound)
			return
		}
		_, _ = w.Write([]byte(`{}`))
	case r.Method == http.MethodPost && r.URL.Path == "/api/v1/statuses/p3/favourite":
		_, _ = w.Write([]byte(`{}`))
	default:
		http.NotFound(w, r)
	}
}

func TestUserFollowsPagesAndActsOnWhatItRead(t *testing.T) {
	api := &fakeAPI{}
	srv := httptest.NewServer(api)
	defer srv.Close()
	d := newDriver(srv.URL, 1)
	defer d.close()
	u := &user{d: d, token: "atr_x", rng: nil}
	ctx := context.Background()

	steps := []struct {
		ask, want string
		code      int
	}{
		{opScroll, opHome, 200},     // nothing read yet: loads the first page instead
		{opScroll, opScroll, 200},   // follows the cursor of the first page
		{opScroll, opHome, 200},     // the last page had no next: back to the top
		{opScroll, opScroll, 200},   // …and down again
		{opComment, opComment, 200}, // replies to a post of the page just read (p3)
		{opReact, opReact, 200},
		{opPost, opPost, 200},
	}
	for i, s := range steps {
		if s.ask == opComment || s.ask == opReact || s.ask == opPost {
			u.rng = newTestRand()
		}
		got, code, err := u.do(ctx, s.ask)
		if err != nil || got != s.want || code != s.code {
			t.Fatalf("step %d: do(%s) = %s, %d, %v; want %s, %d", i, s.ask, got, code, err, s.want, s.code)
		}
	}
	want := []string{
		"GET /api/v1/timelines/home?limit=20 Bearer atr_x",
		"GET /api/v1/timelines/home?limit=20&max_id=p2 Bearer atr_x",
		"GET /api/v1/timelines/home?limit=20 Bearer atr_x",
		"GET /api/v1/timelines/home?limit=20&max_id=p2 Bearer atr_x",
		"POST /api/v1/statuses Bearer atr_x",
		"POST /api/v1/statuses/p3/favourite Bearer atr_x",
		"POST /api/v1/statuses Bearer atr_x",
	}
	if strings.Join(api.seen, "\n") != strings.Join(want, "\n") {
		t.Errorf("requests:\n%s\nwant:\n%s", strings.Join(api.seen, "\n"), strings.Join(want, "\n"))
	}
}

func TestRunRecordsAnswersByStatus(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down", http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	d := newDriver(srv.URL, 2)
	defer d.close()
	m, _ := parseMix("home=1")
	rec := newRecorder()
	// No pause: the users loop until the (short) phase ends; how many requests they make
	// does not matter, only that each is recorded with its status.
	d.run(context.Background(), phase{users: 2, mix: m, duration: 50e6}, []string{"a", "b"}, rec, 1)
	s := rec.summary(50e6)
	if len(s) != 1 || s[0].Op != opHome || s[0].Requests == 0 || s[0].Errors != int(s[0].Requests) || s[0].Statuses["503"] != int(s[0].Requests) {
		t.Errorf("summary = %+v", s)
	}
}
