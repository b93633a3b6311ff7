package blob

// The rclone backends linked into Apiary. Each one adds build time and
// binary size (docs/benchmarks.md); add a backend here only when it is
// needed. rcloneenv must stay first so rclone never creates a config folder.
import (
	_ "github.com/apiary/apiary/storage/blob/rcloneenv"

	"github.com/rclone/rclone/fs"

	_ "github.com/rclone/rclone/backend/local"
	_ "github.com/rclone/rclone/backend/s3"
)

// rclone logs through its own global logger; every failure it would log
// is also returned to Apiary, which reports it. Keep rclone quiet.
func init() {
	fs.GetConfig(nil).LogLevel = fs.LogLevelCritical
}
