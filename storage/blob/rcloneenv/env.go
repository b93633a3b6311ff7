// Package rcloneenv points rclone's configuration file at the null device
// before rclone's own packages initialise, so linking rclone as a library
// never creates a folder in the home directory. Apiary gives rclone every
// setting in memory; it never reads an rclone.conf.
//
// Go initialises packages in import-path order among those whose imports
// are ready: this package has no rclone import and its path sorts before
// github.com/rclone/..., so its init runs first.
package rcloneenv

import "os"

func init() {
	if _, ok := os.LookupEnv("RCLONE_CONFIG"); !ok {
		_ = os.Setenv("RCLONE_CONFIG", os.DevNull)
	}
}
