package main

import (
	"errors"
	"os"
	"os/exec"
	"runtime"
)

// errNoDisplay: on Linux and the BSDs, no graphical session to open a browser in.
var errNoDisplay = errors.New("no graphical display (DISPLAY and WAYLAND_DISPLAY are unset)")

// openBrowser opens url in the person's default browser, without waiting
// for it. The URL is passed as one argument, never through a shell.
func openBrowser(url string) error {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.Command("open", url)
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", url)
	default:
		if os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
			return errNoDisplay
		}
		cmd = exec.Command("xdg-open", url)
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	go cmd.Wait() // reap it; its outcome is the browser's business
	return nil
}
