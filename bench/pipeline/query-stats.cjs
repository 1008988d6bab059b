// Preloaded (node --require) into the app's processes by `npm run bench:pipeline -- --query-stats`:
// counts the SQL statements every pg client sends, by their text, and answers the bench's
// { type: 'query-stats' } IPC message with the counts so far. Round trips to PostgreSQL are what a
// message costs on this machine (socket writes were the top of the CPU profile), so the bench prints
// them per message. Bench-only: nothing in src/ loads it.
const Client = require(require.resolve('pg/lib/client.js', { paths: [process.cwd()] }));

const counts = new Map();
const query = Client.prototype.query;
Client.prototype.query = function (config, values, callback) {
  const text = typeof config === 'string' ? config : config && config.text;
  if (text) {
    const key = text.replace(/\s+/g, ' ').trim().slice(0, 100);
    counts.set(key, (counts.get(key) || 0) + 1);
    // Which transactions a message costs: each BEGIN is also counted under its first statement.
    const opened = `BEGIN → ${key.slice(0, 86)}`;
    if (this.__afterBegin) counts.set(opened, (counts.get(opened) || 0) + 1);
    this.__afterBegin = key === 'BEGIN';
  }
  return query.call(this, config, values, callback);
};

process.on('message', (m) => {
  if (m && m.type === 'query-stats' && process.send) process.send({ type: 'query-stats', counts: [...counts.entries()] });
});
