package websession

import "net/http"

// logout ends the session here and at the tenant: POST /logout, from the
// gateway's own page only (a cross-site form must not log people out).
func (w *Web) logout(rw http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if err := sameOrigin(r, w.origin); err != nil {
		w.fail(rw, r, http.StatusForbidden, err.Error())
		return
	}
	if u, ok := w.sm.Get(ctx, keyUser).(user); ok {
		w.cfg.Logger.InfoContext(ctx, "logout", "sub", u.Subject, "org_id", u.OrgID)
	}
	if w.sm.Token(ctx) != "" {
		if err := w.sm.Destroy(ctx); err != nil {
			w.storeDown(rw, r, err)
			return
		}
	}
	w.clearCookie(ctx, rw)
	http.Redirect(rw, r, w.tenant.logoutURL(ctx), http.StatusSeeOther)
}
