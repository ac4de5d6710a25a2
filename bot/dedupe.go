package bot

import (
	"context"
)

// Deduper remembers the platform event ids taken, so that an event a platform delivers again
// (LINE and Slack both redeliver) is not answered again. Implementations are safe for
// concurrent use.
type Deduper interface {
	// FirstTime records id and reports whether it was new.
	FirstTime(ctx context.Context, id string) (bool, error)
}
