#include "cli/fixture_context.h"

namespace chapcheck::cli {

generators::Context ContextFromFixture(const mocks::Fixture& fixture) {
  generators::Context ctx;
  spec::World world;
  for (const auto& g : fixture.gateways) world.gateways[g.arn] = spec::World::Gateway{g.online, g.HasIscsi()};
  for (const auto& v : fixture.volumes) {
    world.targets.insert(v.target_arn);
    const auto& g = world.gateways[v.gateway_arn];
    const bool usable = g.online && g.iscsi;
    const bool model_form = v.gateway_arn.find(":gateway/sgw-") != std::string::npos;
    if (!g.online && !ctx.offline_target_arn) {
      ctx.offline_target_arn = v.target_arn;
    } else if (usable && model_form && ctx.target_arn.empty()) {
      ctx.target_arn = v.target_arn;
    } else if (usable && model_form && !ctx.other_target_arn && v.target_arn != ctx.target_arn) {
      ctx.other_target_arn = v.target_arn;
    }
  }
  ctx.world = std::move(world);
  return ctx;
}

}  // namespace chapcheck::cli
