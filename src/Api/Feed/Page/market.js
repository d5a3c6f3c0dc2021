// The live market page: the market's listings with stock bars moved by the feed (Server-Sent Events).
// Everything a seller typed (titles, descriptions) goes into the page as text (textContent), never as markup.
'use strict';

(() => {
  const byId = (id) => document.getElementById(id);
  const connection = byId('connection');
  const match = /^\/markets\/(m_[0-9a-f]{32})\/?$/.exec(location.pathname);
  if (!match) {
    connection.textContent = 'This is not the address of a market.';
    return;
  }

  const marketId = match[1];
  const feedUrl = `/api/markets/${marketId}/events`;
  const rows = new Map();
  let snapshotSeen = false;
  let retryDelay = 1000;

  const element = (tag, className) => {
    const node = document.createElement(tag);
    if (className) node.className = className;
    return node;
  };

  const setStatus = (node, status) => {
    node.textContent = status;
    node.dataset.status = status;
  };

  const setStock = (row, remaining, status) => {
    row.bar.max = row.quantity;
    row.bar.value = remaining;
    row.remaining.textContent = String(remaining);
    row.node.dataset.remaining = String(remaining);
    setStatus(row.status, status);
  };

  const rowFor = (listing) => {
    let row = rows.get(listing.listingId);
    if (!row) {
      const node = element('li', 'listing');
      node.dataset.listingId = listing.listingId;
      const title = element('h2', 'title');
      const description = element('p', 'description');
      const price = element('p', 'price');
      const bar = element('progress', 'bar');
      const stock = element('p', 'stock');
      const remaining = element('span', 'remaining');
      const quantity = element('span', 'quantity');
      const status = element('span', 'status');
      stock.append(remaining, ' of ', quantity, ' left ', status);
      node.append(title, description, price, bar, stock);
      row = { node, title, description, price, bar, remaining, quantityText: quantity, status, quantity: 0 };
      rows.set(listing.listingId, row);
    }

    return row;
  };

  const showListing = (listing) => {
    const row = rowFor(listing);
    row.title.textContent = listing.title;
    row.description.textContent = listing.description ?? '';
    row.price.textContent = `${(listing.priceCents / 100).toFixed(2)}`;
    row.quantity = listing.quantity;
    row.quantityText.textContent = String(listing.quantity);
    row.bar.setAttribute('aria-label', `${listing.title}: stock`);
    setStock(row, listing.remaining, listing.status);
    return row;
  };

  const showMarket = (market) => {
    byId('market-title').textContent = market.title;
    document.title = `${market.title} · FleaMarket`;
    byId('market-description').textContent = market.description ?? '';
    setStatus(byId('market-status'), market.status);
    const opens = new Date(market.opensAt).toLocaleString();
    const closes = market.closesAt ? `, closes ${new Date(market.closesAt).toLocaleString()}` : '';
    byId('market-times').textContent = `opens ${opens}${closes}`;

    const list = byId('listings');
    const shown = new Set();
    for (const listing of market.listings) {
      shown.add(listing.listingId);
      list.append(showListing(listing).node);
    }

    for (const [id, row] of rows) {
      if (!shown.has(id)) {
        row.node.remove();
        rows.delete(id);
      }
    }

    byId('no-listings').hidden = market.listings.length > 0;
  };

  const showStock = (event) => {
    const row = rows.get(event.listingId);
    if (row) setStock(row, event.remaining, event.status);
  };

  const retryLater = () => {
    connection.textContent = 'Connection lost; trying again…';
    setTimeout(connect, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 30000);
  };

  // The stream was refused (404, 429, 503): EventSource gives up, so decide here whether to try again.
  const refused = async () => {
    if (!snapshotSeen) {
      try {
        const response = await fetch(`/api/markets/${marketId}`, { headers: { Accept: 'application/json' } });
        if (response.status === 404) {
          byId('market-title').textContent = 'Market not found';
          connection.textContent = 'There is no market at this address.';
          return;
        }
      } catch {
        // Offline or unreachable: try the stream again below.
      }
    }

    retryLater();
  };

  function connect() {
    const source = new EventSource(feedUrl);
    source.addEventListener('market', (event) => {
      snapshotSeen = true;
      retryDelay = 1000;
      connection.textContent = 'Live';
      showMarket(JSON.parse(event.data));
    });
    source.addEventListener('listing', (event) => showStock(JSON.parse(event.data)));
    source.addEventListener('error', () => {
      if (source.readyState === EventSource.CONNECTING) {
        // The browser reconnects by itself (sending Last-Event-ID) and gets a fresh snapshot.
        connection.textContent = 'Reconnecting…';
        return;
      }

      source.close();
      refused();
    });
  }

  connect();
})();
