namespace FleaMarket.Persistence;
