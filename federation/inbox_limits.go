package federation

import (
	"net"
	"net/http"
	"strconv"

	"github.com/atrium-intranet/atrium/activitypub"
	"github.com/atrium-intranet/atrium/internal/ratelimit"
)

// inboxLimits are token buckets for inbox POSTs, one per peer origin (taken from the
// signature's keyId) and one per client address. They are checked before the signature,
// so a flood costs no key lookups or RSA work; a forged keyId can only drain the bucket
// of the address that sends it as well.
type inboxLimits struct {
	byPeer, byIP *ratelimit.Keyed
}

// newInboxLimits allows perSecond requests per peer and per address after burst; a rate
// of zero turns the limits off.
func newInboxLimits(perSecond, burst int64) *inboxLimits {
	if burst < 1 {
		burst = 2 * perSecond
	}
	return &inboxLimits{
		byPeer: ratelimit.New(float64(perSecond), int(burst), 10_000),
		byIP:   ratelimit.New(float64(perSecond), int(burst), 10_000),
	}
}

// limitInbox answers 429 with Retry-After when the sender's peer or address is over its
// rate; nothing is read or stored for a refused request.
func (h *handler) limitInbox(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if h.inboxLimits == nil {
			next(w, r)
			return
		}
		now := h.now()
		ip, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			ip = r.RemoteAddr
		}
		ok, wait := h.inboxLimits.byIP.Allow(ip, now)
		if ok {
			if p, err := parseSignatureHeader(r.Header); err == nil {
				if origin, err := activitypub.Origin(p.keyID); err == nil {
					ok, wait = h.inboxLimits.byPeer.Allow(origin, now)
				}
			}
		}
		if !ok {
			h.log.WarnContext(r.Context(), "inbox rate limited", "path", r.URL.Path, "ip", ip, "retry_after", wait)
			w.Header().Set("Retry-After", strconv.Itoa(ratelimit.RetryAfterSeconds(wait)))
			fail(w, http.StatusTooManyRequests, "too many requests")
			return
		}
		next(w, r)
	}
}
