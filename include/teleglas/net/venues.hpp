// The four sources as FeedProtocols: CoinGlass and the exchanges' own public streams (Bybit
// v5 linear, Binance USD-M on the /market route, OKX v5 public), with the pure helpers that
// name symbols, build subscriptions and classify control frames the way each venue documents.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "teleglas/config/config.hpp"
#include "teleglas/net/feed_protocol.hpp"

namespace teleglas {

// Limits from the venues' documentation (checked 2026; see the report of issue 11).
// Bybit: at most 21,000 characters of "args" per public connection; 10 args per subscribe
// request is Spot's documented limit and linear has none, so 10 is safe everywhere.
inline constexpr std::size_t bybit_max_args_chars_per_connection = 21'000;
inline constexpr std::size_t bybit_max_args_per_request = 10;
// Binance USD-M: the market-streams page allows 1024 streams per connection, other Binance
// derivatives pages 200; the smaller bound costs nothing here.
inline constexpr std::size_t binance_max_streams_per_connection = 200;
// OKX: a request may carry channels up to 64 KB; one connection takes 480 requests an hour.
// No per-connection channel limit is documented: 200 channels (about 9 KB) per connection,
// one subscribe request each.
inline constexpr std::size_t okx_max_args_per_connection = 200;

// ---- symbols ----------------------------------------------------------------------------

// Bybit's name of a symbol: BTCUSDT as it is (upper-cased); "" for a name that is not letters
// and digits only.
std::string bybit_symbol(std::string_view symbol);

// Binance names streams by the lowercase symbol: BTCUSDT -> btcusdt. "" for a name that is not
// letters and digits only (BTC-USDT-SWAP), which Binance could not know.
std::string binance_stream_symbol(std::string_view symbol);

// The OKX perpetual swap of a symbol: BTCUSDT -> BTC-USDT-SWAP, BTCUSDC -> BTC-USDC-SWAP,
// BTCUSD -> BTC-USD-SWAP (case-insensitive). A name that already has OKX's dashes
// (ETH-USDT-SWAP) is taken as it is, upper-cased; "" when no quote currency is recognised.
std::string okx_inst_id(std::string_view symbol);

// ---- subscriptions ----------------------------------------------------------------------

// allLiquidation.SYM for every symbol, then publicTrade.SYM for each when `trades`.
std::vector<std::string> bybit_topics(const std::vector<std::string>& symbols, bool trades);
// {"op":"subscribe","args":[...]} with at most bybit_max_args_per_request topics each.
std::vector<std::string> bybit_subscribe_messages(const std::vector<std::string>& topics);

// !forceOrder@arr (every symbol's liquidations), then sym@aggTrade for each when `trades`.
std::vector<std::string> binance_streams(const std::vector<std::string>& symbols, bool trades);
// `ws_url` with ?streams=a/b (or &streams= when it already has a query).
std::string binance_stream_url(std::string_view ws_url, const std::vector<std::string>& streams);

// {"op":"subscribe","args":[...]}: liquidation-orders of every SWAP when `liquidations`, then
// the trades of each instrument.
std::string okx_subscribe_message(bool liquidations, const std::vector<std::string>& inst_ids);

// ---- control frames ---------------------------------------------------------------------

// "pong" is the heartbeat; any other text that is not JSON is a server notice.
FeedFrameClass classify_coinglass_frame(std::string_view text);
// {"topic":...} is data; {"op":"ping",...,"ret_msg":"pong"} the pong; "success":false a
// refusal (its ret_msg quoted); other {"op":...} replies are acks.
FeedFrameClass classify_bybit_frame(std::string_view text);
// {"stream":...} is data; {"result":...,"id":...} an ack; {"error":{...}} or {"code","msg"} a
// refusal.
FeedFrameClass classify_binance_frame(std::string_view text);
// "pong" is the heartbeat; {"arg":...,"data":...} data; {"event":"error"} a refusal (code and
// msg quoted); other events (subscribe, notice, channel-conn-count) control.
FeedFrameClass classify_okx_frame(std::string_view text);

// ---- protocols --------------------------------------------------------------------------

FeedProtocol coinglass_protocol(const CoinglassConfig& config,
                                const std::vector<SymbolConfig>& symbols, std::string api_key);
FeedProtocol bybit_protocol(const BybitConfig& config, const std::vector<SymbolConfig>& symbols);
FeedProtocol binance_protocol(const BinanceConfig& config,
                              const std::vector<SymbolConfig>& symbols);
FeedProtocol okx_protocol(const OkxConfig& config, const std::vector<SymbolConfig>& symbols);

// The protocol of a source named as in config/sources.hpp, from its section of `config`;
// std::invalid_argument for any other name. The key is used by coinglass only.
FeedProtocol feed_protocol(std::string_view source, const Config& config,
                           const std::string& coinglass_api_key);

}  // namespace teleglas
