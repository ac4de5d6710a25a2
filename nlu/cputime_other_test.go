//go:build !linux

package nlu_test

// threadCPU is not measured outside Linux.
func threadCPU() (int64, bool) { return 0, false }
