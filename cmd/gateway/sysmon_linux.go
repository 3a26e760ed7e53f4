package main

import (
	"os"
	"syscall"
)

// restartWithAwakeSysmon starts this binary again, in this process, with
// the runtime monitor kept awake (sysmon.go), unless GODEBUG already says
// how. It returns only if it did not: the gateway then runs as it is.
func restartWithAwakeSysmon() {
	if env := withAwakeSysmon(os.Environ()); env != nil {
		// /proc/self/exe is the binary this process runs, even if its
		// file was replaced since it started.
		_ = syscall.Exec("/proc/self/exe", os.Args, env)
	}
}
