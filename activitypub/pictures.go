package activitypub

import (
	"encoding/json"
	"strings"
)

// Pictures of actors (a Person's or a Group's icon, a Group's image) are Image objects
// {type: Image, url, mediaType}. Nothing in Atrium is public, so a picture lives on its
// actor's node and other nodes fetch it with a signed GET; one named on any other
// node is not taken.

// PictureMediaType is the type of every picture Atrium serves: its upload pipeline
// re-encodes each one as PNG.
const PictureMediaType = "image/png"

// PicturePath is where a node serves its stored pictures, to its users with a session
// and to peers with a signed GET.
const PicturePath = "/avatars/"

// PictureURL is the URL of a stored picture file on the node at origin.
func PictureURL(origin, file string) string {
	return strings.TrimRight(origin, "/") + PicturePath + file
}

// pictureDoc is the Image object of a stored picture file on the node at origin.
func pictureDoc(origin, file string) map[string]string {
	return map[string]string{"type": "Image", "url": PictureURL(origin, file), "mediaType": PictureMediaType}
}

// maxPictureChoices bounds how many alternatives of icon or url are looked at.
const maxPictureChoices = 8

// pictureURL reads an icon or image value: an Image object (its url a string, a Link or
// a list of them), a bare URL, or a list of those, of which the first usable counts. The
// URL must be on the actor's origin; anything else gives "".
func pictureURL(actor string, raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var v interface{}
	if err := json.Unmarshal(raw, &v); err != nil {
		return ""
	}
	return pictureURLOf(actor, v, 0)
}

func pictureURLOf(actor string, v interface{}, depth int) string {
	if depth > 3 {
		return ""
	}
	switch x := v.(type) {
	case string:
		if _, err := ParseIRI(x); err != nil || !SameOrigin(actor, x) {
			return ""
		}
		return x
	case []interface{}:
		for i, item := range x {
			if i == maxPictureChoices {
				break
			}
			if u := pictureURLOf(actor, item, depth+1); u != "" {
				return u
			}
		}
	case map[string]interface{}:
		switch t, _ := x["type"].(string); t {
		case "Image":
			return pictureURLOf(actor, x["url"], depth+1)
		case "Link":
			return pictureURLOf(actor, x["href"], depth+1)
		}
	}
	return ""
}
