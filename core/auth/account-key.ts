/** What accountKey needs of the users: Users.find (login, else email, without regard to case). */
export interface FindsUsers {
  find(loginOrEmail: string): Promise<{ id: number } | undefined>;
}

/**
 * The account a credential attempt (web login or REST) is for, as a throttle counter key:
 * `user-{id}` when the identifier (trimmed) is an account's login or email, in any case — so
 * guesses through the login and through the email share one counter — else
 * `name-{identifier, trimmed and lower-cased}`. Identifiers no account can have (control
 * characters, too long: Users.find) are never queried and count under their name.
 */
export async function accountKey(users: FindsUsers, identifier: string): Promise<string> {
  const id = identifier.trim();
  const user = id === '' ? undefined : await users.find(id);
  return user ? `user-${user.id}` : `name-${id.toLowerCase()}`;
}
