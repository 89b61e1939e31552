package api

// The JSON shapes below follow Mastodon's REST entities so existing clients can read
// them. Lists are always arrays, never null, and fields Atrium has no counterpart for
// carry Mastodon's neutral values.

// Account is Mastodon's Account entity.
type Account struct {
	ID             string  `json:"id"`
	Username       string  `json:"username"`
	Acct           string  `json:"acct"`
	DisplayName    string  `json:"display_name"`
	Locked         bool    `json:"locked"`
	Bot            bool    `json:"bot"`
	Group          bool    `json:"group"`
	Discoverable   bool    `json:"discoverable"`
	CreatedAt      string  `json:"created_at"`
	Note           string  `json:"note"`
	URL            string  `json:"url"`
	URI            string  `json:"uri"`
	Avatar         string  `json:"avatar"`
	AvatarStatic   string  `json:"avatar_static"`
	Header         string  `json:"header"`
	HeaderStatic   string  `json:"header_static"`
	FollowersCount int     `json:"followers_count"`
	FollowingCount int     `json:"following_count"`
	StatusesCount  int     `json:"statuses_count"`
	LastStatusAt   *string `json:"last_status_at"`
	Emojis         []Emoji `json:"emojis"`
	Fields         []Field `json:"fields"`
}

// CredentialAccount is the Account of the token's owner, with the source of the profile.
type CredentialAccount struct {
	Account
	Source AccountSource `json:"source"`
	Role   AccountRole   `json:"role"`
}

// AccountSource is the editable source of the owner's profile.
type AccountSource struct {
	Privacy   string  `json:"privacy"`
	Sensitive bool    `json:"sensitive"`
	Language  string  `json:"language"`
	Note      string  `json:"note"`
	Fields    []Field `json:"fields"`
}

// AccountRole is the owner's role on the node (admin, member or guest).
type AccountRole struct {
	Name string `json:"name"`
}

// Field is a profile metadata row; Atrium shows job title and department as such rows.
type Field struct {
	Name       string  `json:"name"`
	Value      string  `json:"value"`
	VerifiedAt *string `json:"verified_at"`
}

// Emoji is a custom emoji; Atrium has none, so lists of them stay empty.
type Emoji struct {
	Shortcode string `json:"shortcode"`
	URL       string `json:"url"`
}

// Status is Mastodon's Status entity for an Atrium post or comment.
type Status struct {
	ID         string  `json:"id"`
	URI        string  `json:"uri"`
	URL        string  `json:"url"`
	CreatedAt  string  `json:"created_at"`
	EditedAt   *string `json:"edited_at"`
	Account    Account `json:"account"`
	Content    string  `json:"content"`
	Visibility string  `json:"visibility"`
	// Audience is Atrium's exact audience (site, company, followers), which Visibility
	// can only approximate.
	Audience string `json:"audience"`
	// LocalOnly marks site posts, which never leave the node (glitch-soc's field name).
	LocalOnly          bool         `json:"local_only"`
	Sensitive          bool         `json:"sensitive"`
	SpoilerText        string       `json:"spoiler_text"`
	InReplyToID        *string      `json:"in_reply_to_id"`
	InReplyToAccountID *string      `json:"in_reply_to_account_id"`
	Reblog             *Status      `json:"reblog"`
	Language           *string      `json:"language"`
	MediaAttachments   []Attachment `json:"media_attachments"`
	Mentions           []Mention    `json:"mentions"`
	Tags               []Tag        `json:"tags"`
	Emojis             []Emoji      `json:"emojis"`
	Card               *struct{}    `json:"card"`
	Poll               *struct{}    `json:"poll"`
	RepliesCount       int          `json:"replies_count"`
	ReblogsCount       int          `json:"reblogs_count"`
	FavouritesCount    int          `json:"favourites_count"`
	Favourited         bool         `json:"favourited"`
	Reblogged          bool         `json:"reblogged"`
	Muted              bool         `json:"muted"`
	Bookmarked         bool         `json:"bookmarked"`
	// Text is the Markdown source; Mastodon sends it only when answering a delete, so a
	// client can offer "delete and redraft".
	Text *string `json:"text,omitempty"`
}

// Attachment is a media attachment; posts have none yet.
type Attachment struct {
	ID   string `json:"id"`
	Type string `json:"type"`
	URL  string `json:"url"`
}

// Mention is an account named in a status.
type Mention struct {
	ID       string `json:"id"`
	Username string `json:"username"`
	Acct     string `json:"acct"`
	URL      string `json:"url"`
}

// Tag is a hashtag used in a status.
type Tag struct {
	Name string `json:"name"`
	URL  string `json:"url"`
}
