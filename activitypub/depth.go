package activitypub

import (
	"fmt"

	"github.com/atrium-intranet/atrium/internal/jsonlimit"
)

// MaxJSONDepth bounds the nesting of objects and arrays in a remote document.
const MaxJSONDepth = jsonlimit.MaxDepth

// checkDepth refuses b, before it is decoded, when it nests deeper than MaxJSONDepth.
func checkDepth(b []byte) error {
	if err := jsonlimit.CheckDepth(b, MaxJSONDepth); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	return nil
}
