//go:build !linux

package main

// restartWithAwakeSysmon does nothing here: the setting (sysmon.go) was
// measured on Linux only.
func restartWithAwakeSysmon() {}
