package model

import "time"

// TagFollow records that an account follows a hashtag: posts carrying it reach the
// account's Following feed as if their authors were followed, within what it may see.
type TagFollow struct {
	AccountID string `bun:"account_id,pk"`
	// Tag is lower-cased, without '#', as post_tags stores it.
	Tag       string    `bun:"tag,pk"`
	CreatedAt time.Time `bun:"created_at,notnull"`
}
