package websession

import "net/http"

// logout ends the session here and at the tenant, and revokes its refresh
// token: POST /logout, from the gateway's own page only (a cross-site form
// must not log people out).
func (w *Web) logout(rw http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if err := sameOrigin(r, w.origin); err != nil {
		w.fail(rw, r, http.StatusForbidden, err.Error())
		return
	}
	if id := w.sm.Token(ctx); id != "" {
		// The tokens as stored now: a refresh may have rotated them since
		// this request loaded the session. (One that rotates them after
		// the deletion finds the session gone, and revokes its own.)
		_, u, storedErr := w.stored(ctx, id)
		if err := w.destroy(ctx); err != nil {
			w.storeDown(rw, r, err)
			return
		}
		if storedErr == nil {
			w.cfg.Logger.InfoContext(ctx, "logout", "sub", u.Subject, "org_id", u.OrgID)
			w.revoke(ctx, u)
		}
	}
	w.clearCookie(ctx, rw)
	w.clearLoginCookie(rw)
	http.Redirect(rw, r, w.tenant.logoutURL(ctx), http.StatusSeeOther)
}
