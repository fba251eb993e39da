/** A word for a POSIX shell, single-quoted. */
function shellWord(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * What `npm run backup` says on PostgreSQL: the pg_dump command that backs up the relay's schema (and with
 * `withShops` the registered shops' schemas beside it, `<main>_shop_*`: pg_dump's -n takes patterns), and how to
 * restore it. The password is left out of the printed URL; pg_dump reads it from PGPASSWORD or ~/.pgpass.
 */
export function pgDumpAdvice(place: { url: string; schema: string }, file: string, options: { withShops: boolean }): string {
  const url = new URL(place.url);
  const hadPassword = url.password !== '';
  url.password = '';
  const schemas = [place.schema, ...(options.withShops ? [`${place.schema}_shop_*`] : [])];
  const dump = ['pg_dump', '--format=custom', ...schemas.map((schema) => `--schema=${shellWord(schema)}`), `--file=${shellWord(file)}`, shellWord(url.toString())].join(' ');
  const restore = ['pg_restore', '--clean', '--if-exists', `--dbname=${shellWord(url.toString())}`, shellWord(file)].join(' ');
  return [
    'PAYRELAY_DATABASE_URL is set: the relay keeps its data in PostgreSQL, and this tool copies SQLite files only. Nothing was copied.',
    `Back up schema ${place.schema}${options.withShops ? " and the registered shops' schemas beside it" : ''} with PostgreSQL's own tool (one consistent snapshot, safe while the relays run):`,
    '',
    `  ${dump}`,
    '',
    ...(hadPassword ? ['The password is left out of the URL above: pg_dump reads it from PGPASSWORD or ~/.pgpass.'] : []),
    `To restore: stop the relays, then: ${restore}`,
  ].join('\n');
}
