package social

import (
	"context"
	"errors"
	"time"

	"github.com/atrium-intranet/atrium/internal/ratelimit"
	"github.com/atrium-intranet/atrium/model"
)

// RateLimitError is ErrRateLimited with the time until the next attempt may succeed.
type RateLimitError struct{ RetryAfter time.Duration }

func (e *RateLimitError) Error() string { return ErrRateLimited.Error() }

// Is makes errors.Is(err, ErrRateLimited) hold.
func (e *RateLimitError) Is(target error) bool { return target == ErrRateLimited }

// RetryAfter is how long a caller refused with ErrRateLimited, or during a database
// outage (Unavailable), should wait; a minute when the error does not say.
func RetryAfter(err error) time.Duration {
	var rl *RateLimitError
	if errors.As(err, &rl) && rl.RetryAfter > 0 {
		return rl.RetryAfter
	}
	if Unavailable(err) {
		return unavailableRetryAfter
	}
	return time.Minute
}

// newPostLimits keeps per-account buckets for new posts and comments (or for reactions);
// a rate of zero turns them off.
func newPostLimits(perMinute, burst int) *ratelimit.Keyed {
	if burst < 1 {
		burst = perMinute
	}
	return ratelimit.PerMinute(float64(perMinute), burst, 0)
}

// allowPost takes one post from author's bucket.
func (c *core) allowPost(ctx context.Context, author *model.Account) error {
	return c.allow(ctx, c.postLimits, author, "posting")
}

// allowReact takes one reaction (or its removal) from viewer's bucket, which has the
// posting rate but is kept apart: reacting a lot does not stop anyone from posting.
func (c *core) allowReact(ctx context.Context, viewer *model.Account) error {
	return c.allow(ctx, c.reactLimits, viewer, "reaction")
}

// allow takes one token from acct's bucket in limits, or logs and refuses with the wait.
func (c *core) allow(ctx context.Context, limits *ratelimit.Keyed, acct *model.Account, what string) error {
	ok, wait := limits.Allow(acct.ID, c.Now())
	if ok {
		return nil
	}
	c.Log.WarnContext(ctx, what+" rate limited", "account", acct.Username, "retry_after", wait)
	return &RateLimitError{RetryAfter: wait}
}
