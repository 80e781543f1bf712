#include "teleglas/app/chart_renderer.hpp"

#include <boost/asio/post.hpp>
#include <utility>

namespace teleglas {

ChartRenderer::ChartRenderer(boost::asio::any_io_executor deliver_on, charts::ChartOptions options)
    : deliver_on_(std::move(deliver_on)), options_(std::move(options)), worker_([this] { work(); }) {}

ChartRenderer::~ChartRenderer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    jobs_.clear();
  }
  wake_.notify_all();
  worker_.join();
}

void ChartRenderer::render(std::shared_ptr<const charts::ChartData> data, Done done) {
  {
    std::lock_guard lock(mutex_);
    if (!stopping_ && jobs_.size() < max_waiting && data) {
      jobs_.push_back({std::move(data), std::move(done)});
      wake_.notify_one();
      return;
    }
  }
  charts::RenderedChart refused;
  refused.error = data ? "too many charts waiting to be drawn" : "no chart data";
  boost::asio::post(deliver_on_, [done = std::move(done), refused = std::move(refused)]() mutable {
    done(std::move(refused));
  });
}

void ChartRenderer::work() {
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      if (stopping_) return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    charts::RenderedChart chart = charts::render_chart(*job.data, options_);
    // Posted in the order rendered, which is the order asked: one worker, FIFO.
    boost::asio::post(deliver_on_, [done = std::move(job.done), chart = std::move(chart)]() mutable {
      done(std::move(chart));
    });
  }
}

}  // namespace teleglas
