"""The administration web page: an HTML shell and its scripts and styles, all shipped in the
package, calling the same REST API as any client (session cookie and X-CSRF-Token)."""
