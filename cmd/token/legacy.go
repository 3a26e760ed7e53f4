package main

import (
	"errors"

	"github.com/model-api-auth0/model-api-auth0/internal/callers/tokenstore"
	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackoutputs"
)

// listLogins lists the stored logins, first moving those an earlier
// version stored under the organization's name to the organization's ID.
func listLogins(store *tokenstore.Store) ([]*tokenstore.Login, error) {
	logins, err := store.List()
	if err != nil {
		return nil, err
	}
	moved := false
	for _, l := range logins {
		if l.Key().Legacy() {
			ok, err := migrateLogin(store, l.Key())
			if err != nil {
				return nil, err
			}
			moved = moved || ok
		}
	}
	if !moved {
		return logins, nil
	}
	return store.List()
}

// migrateLogin moves the login stored under an organization name to the
// organization's ID, read from the login's own access token: one
// organization is one login however -org names it, and the ID is what
// tokens carry. A login whose token does not say stays where it is, still
// found by its name. If a login under the ID exists, it is the newer one
// (logged in since): the old one is dropped. The move runs under the old
// login's lock, so that it never races a refresh of the same login.
func migrateLogin(store *tokenstore.Store, key tokenstore.Key) (moved bool, err error) {
	unlock, err := store.Lock(key)
	if err != nil {
		return false, err
	}
	defer unlock()
	l, err := store.Load(key) // again, under the lock: another command may have moved it
	if errors.Is(err, tokenstore.ErrNotLoggedIn) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	id, _, err := tokenOrganization(l.Token.AccessToken)
	if err != nil || !stackoutputs.IsOrganizationID(id) {
		return false, nil
	}
	l.Organization, l.OrganizationName = id, key.Organization
	switch _, err := store.Load(l.Key()); {
	case errors.Is(err, tokenstore.ErrNotLoggedIn):
		if err := store.Save(l); err != nil {
			return false, err
		}
	case err != nil:
		return false, err
	}
	return true, store.Delete(key)
}
