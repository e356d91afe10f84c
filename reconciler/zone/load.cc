#include "zone/load.h"

#include <algorithm>
#include <set>

#include "model/yaml_reader.h"
#include "zone/checks.h"
#include "zone/load_cache.h"
#include "zone/owner_rebuild.h"

namespace signet::zone {

namespace {

using model::Location;

bool has_yaml_extension(const std::string& file) {
  auto ends_with = [&file](std::string_view suffix) {
    return file.size() > suffix.size() &&
           file.compare(file.size() - suffix.size(), suffix.size(), suffix) ==
               0;
  };
  return ends_with(".yaml") || ends_with(".yml");
}

std::string stem(const std::string& file) {
  return file.substr(0, file.rfind('.'));
}

// The zone a file name stands for: "example.com.yaml" is example.com. and
// "root.yaml" may also hold the root zone.
bool file_name_matches(const std::string& file, const Name& origin) {
  std::string expected = stem(file);
  std::optional<Name> name = Name::parse(expected);
  if (name && *name == origin) {
    return true;
  }
  return origin.is_root() && expected == "root";
}

class TenantLoader {
 public:
  TenantLoader(const model::FileSource& source, model::Diagnostics& diagnostics,
               const std::vector<std::string>* allowed_zones, LoadCache* cache)
      : source_(source),
        diagnostics_(diagnostics),
        allowed_zones_(allowed_zones),
        cache_(cache) {}

  LoadedTenant load() {
    LoadedTenant tenant;
    load_policies(tenant);
    load_secondaries(tenant);
    load_zones(tenant);
    return tenant;
  }

 private:
  std::vector<std::string> yaml_files(const std::string& dir) {
    std::vector<std::string> out;
    for (const std::string& file : source_.list(dir)) {
      if (has_yaml_extension(file)) {
        out.push_back(file);
      } else if (file.front() != '.') {
        diagnostics_.warning(Location{dir + "/" + file, 0, 0},
                             "file ignored: only .yaml and .yml files are "
                             "read in " +
                                 dir + "/");
      }
    }
    return out;
  }

  void load_policies(LoadedTenant& tenant) {
    tenant.policies.emplace("default", model::default_policy());
    for (const std::string& file : yaml_files("policies")) {
      std::string path = "policies/" + file;
      std::optional<std::string> text = source_.read(path);
      if (!text) {
        continue;
      }
      std::optional<model::Policy> policy =
          model::parse_policy_file(path, stem(file), *text, diagnostics_);
      if (!policy) {
        continue;
      }
      auto [it, inserted] = tenant.policies.emplace(policy->name, *policy);
      if (!inserted && it->second.location.file.empty()) {
        it->second = *policy;  // policies/default.yaml replaces the built-in
      } else if (!inserted) {
        diagnostics_.error(Location{path, 0, 0},
                           "policy '" + policy->name + "' is also defined in " +
                               it->second.location.file +
                               "; rename or remove one of the files");
      }
    }
  }

  void load_secondaries(LoadedTenant& tenant) {
    std::optional<std::string> text = source_.read("secondaries.yaml");
    if (!text) {
      return;
    }
    tenant.secondaries =
        model::parse_secondaries_file("secondaries.yaml", *text, diagnostics_);
  }

  void load_zones(LoadedTenant& tenant) {
    std::vector<std::string> files = yaml_files("zones");
    if (files.empty()) {
      diagnostics_.warning(Location{"zones", 0, 0},
                           "no zone files found; add zones/<zone>.yaml");
    }
    std::map<Name, std::string> seen;
    std::set<std::string> paths;
    for (const std::string& file : files) {
      std::string path = "zones/" + file;
      paths.insert(path);
      std::optional<LoadedZone> zone = load_file(path, file, tenant);
      if (!zone) {
        continue;
      }
      auto [it, inserted] = seen.emplace(zone->zone.origin(), path);
      if (!inserted) {
        diagnostics_.error(zone->file->zone_location,
                           "zone " + zone->zone.origin().text() +
                               " is also defined in " + it->second +
                               "; keep one file per zone");
        continue;
      }
      tenant.zones.push_back(std::move(*zone));
    }
    if (cache_ != nullptr) {
      cache_->keep_only(paths);
    }
  }

  // Loads one zone file, from the cache when its contents did not change.
  std::optional<LoadedZone> load_file(const std::string& path,
                                      const std::string& file,
                                      const LoadedTenant& tenant) {
    std::optional<std::string> content_id;
    CachedZoneFile* cached = nullptr;
    if (cache_ != nullptr) {
      content_id = source_.content_id(path);
      cached = cache_->find(path);
      if (cached != nullptr && content_id &&
          cached->content_id == *content_id &&
          policy_cds(*cached->file, tenant) == cached->built_with_cds) {
        return reuse(*cached, file, tenant);
      }
    }
    std::optional<std::string> text = source_.read(path);
    if (!text) {
      return std::nullopt;
    }
    try {
      return load_one(path, file, std::move(*text), tenant, content_id, cached);
    } catch (...) {
      // The load may have taken records out of the cached entry.
      if (cache_ != nullptr) {
        cache_->erase(path);
      }
      throw;
    }
  }

  // Reports what loading the cached file reported, in the same order, and
  // runs the checks that depend on other files again.
  LoadedZone reuse(const CachedZoneFile& cached, const std::string& file,
                   const LoadedTenant& tenant) {
    const model::ZoneFile& parsed = *cached.file;
    const Name& origin = cached.zone.origin();
    diagnostics_.append(cached.parse_diagnostics);
    find_policy(parsed, tenant);
    check_secondaries(parsed, tenant);
    diagnostics_.append(cached.build_diagnostics);
    check_file_name(parsed, file, origin);
    check_allowed(parsed, origin);
    diagnostics_.append(cached.check_diagnostics);
    cache_->mutable_stats().files_reused++;
    // The zone is copied, as the caller may change it; its nodes are
    // shared until then.
    return LoadedZone{cached.file, cached.zone, cached.locations};
  }

  // Loads a zone file from its text. With a cache, owner blocks of the
  // `previous` version of the file are reused for parsing and building,
  // and a result without errors is stored under `content_id`.
  std::optional<LoadedZone> load_one(
      const std::string& path, const std::string& file, std::string text,
      const LoadedTenant& tenant,
      const std::optional<std::string>& content_id = std::nullopt,
      CachedZoneFile* previous = nullptr) {
    // Each step's problems are kept apart, so the cache can report them
    // again in the same order.
    model::Diagnostics parse_diagnostics;
    std::shared_ptr<model::OwnerBlocks> blocks;
    std::optional<model::PreviousParse> reusable = reusable_parse(previous);
    std::optional<model::ZoneFile> parsed =
        parse(path, std::move(text), reusable, parse_diagnostics, blocks);
    diagnostics_.append(parse_diagnostics);
    if (!parsed) {
      return std::nullopt;
    }
    // Until the result is stored, the previous entry lacks the records
    // that the parse took from it.
    auto give_back = [&] {
      if (reusable && blocks) {
        model::give_back_records(*parsed, *blocks, *reusable);
      }
    };
    const model::Policy* policy = find_policy(*parsed, tenant);
    check_secondaries(*parsed, tenant);
    model::Policy fallback = model::default_policy();
    const model::Policy& used = policy ? *policy : fallback;
    RecordLocations locations;
    model::Diagnostics build_diagnostics;
    std::optional<Zone> zone =
        build(*parsed, blocks.get(), reusable ? previous : nullptr, used,
              build_diagnostics, locations);
    diagnostics_.append(build_diagnostics);
    if (!zone) {
      give_back();
      return std::nullopt;
    }
    check_file_name(*parsed, file, zone->origin());
    check_allowed(*parsed, zone->origin());
    model::Diagnostics check_diagnostics;
    check_zone(*zone, locations.source_map(), check_diagnostics);
    diagnostics_.append(check_diagnostics);
    auto shared_file = std::make_shared<model::ZoneFile>(std::move(*parsed));
    LoadedZone loaded{shared_file, std::move(*zone),
                      std::make_shared<RecordLocations>(std::move(locations))};
    if (cache_ == nullptr) {
      return loaded;
    }
    cache_->mutable_stats().files_loaded++;
    if (content_id && !parse_diagnostics.has_errors() &&
        !build_diagnostics.has_errors() && !check_diagnostics.has_errors()) {
      store(path, loaded, previous,
            CachedZoneFile{*content_id,
                           used.cds,
                           shared_file,
                           loaded.zone,
                           loaded.locations,
                           std::move(parse_diagnostics),
                           std::move(build_diagnostics),
                           std::move(check_diagnostics),
                           std::move(blocks),
                           {},
                           {}});
    } else if (reusable && blocks) {
      model::give_back_records(*shared_file, *blocks, *reusable);
    }
    return loaded;
  }

  // Returns the previous version of a file for parse(), if it can be
  // reused. Because the parse takes records out of its file, the file is
  // copied first when a LoadedZone still refers to it.
  static std::optional<model::PreviousParse> reusable_parse(
      CachedZoneFile* previous) {
    if (previous == nullptr || !previous->blocks || !previous->file) {
      return std::nullopt;
    }
    if (previous->file.use_count() > 1) {
      previous->file = std::make_shared<model::ZoneFile>(*previous->file);
    }
    return model::PreviousParse{*previous->file, *previous->blocks};
  }

  // Parses a zone file, reusing the owner blocks of `previous` with a
  // cache, and sets `blocks` when the parse had no errors.
  std::optional<model::ZoneFile> parse(
      const std::string& path, std::string text,
      std::optional<model::PreviousParse>& previous,
      model::Diagnostics& diagnostics,
      std::shared_ptr<model::OwnerBlocks>& blocks) {
    if (cache_ == nullptr) {
      return model::parse_zone_file(path, text, diagnostics);
    }
    model::OwnerCounts counts;
    std::optional<model::ZoneFile> parsed = model::parse_zone_file(
        path, std::move(text), diagnostics, previous ? &*previous : nullptr,
        &blocks, &counts);
    cache_->mutable_stats().owners_reused += counts.reused;
    cache_->mutable_stats().owners_parsed += counts.parsed;
    return parsed;
  }

  // Builds the zone of a parsed file: from the `previous` build and the
  // changed owners when rebuild_zone can, else in full.
  std::optional<Zone> build(const model::ZoneFile& parsed,
                            const model::OwnerBlocks* blocks,
                            const CachedZoneFile* previous,
                            const model::Policy& policy,
                            model::Diagnostics& diagnostics,
                            RecordLocations& locations) {
    if (previous != nullptr && blocks != nullptr && previous->locations) {
      PreviousBuild before{*previous->file,         *previous->blocks,
                           previous->zone,          *previous->locations,
                           previous->owner_names,   previous->owner_warnings,
                           previous->built_with_cds};
      if (std::optional<RebuiltZone> rebuilt =
              rebuild_zone(parsed, *blocks, before, policy)) {
        locations = std::move(rebuilt->locations);
        diagnostics = std::move(rebuilt->diagnostics);
        cache_->mutable_stats().zones_rebuilt++;
        return std::move(rebuilt->zone);
      }
    }
    return build_zone(parsed, policy, diagnostics, &locations);
  }

  // Replaces the cache entry of `path` with `entry`, completed for
  // `loaded`, a result without errors. The names of the owners it shares
  // with the `previous` entry are moved from there.
  void store(const std::string& path, const LoadedZone& loaded,
             CachedZoneFile* previous, CachedZoneFile entry) {
    if (const model::OwnerBlocks* blocks = entry.blocks.get()) {
      entry.owner_names = owner_names(
          *loaded.file, loaded.zone.origin(), blocks,
          previous != nullptr && previous->blocks ? &previous->owner_names
                                                  : nullptr);
      entry.owner_warnings =
          model::diagnostics_by_block(*blocks, entry.build_diagnostics);
    }
    cache_->store(path, std::move(entry));
  }

  // The `cds` setting of the policy a zone file is built under: its own
  // policy, or the default one when that is not defined.
  static bool policy_cds(const model::ZoneFile& file,
                         const LoadedTenant& tenant) {
    auto it = tenant.policies.find(file.policy);
    return it != tenant.policies.end() ? it->second.cds
                                       : model::default_policy().cds;
  }

  const model::Policy* find_policy(const model::ZoneFile& file,
                                   const LoadedTenant& tenant) {
    auto it = tenant.policies.find(file.policy);
    if (it != tenant.policies.end()) {
      return &it->second;
    }
    std::vector<std::string> names;
    for (const auto& [name, policy] : tenant.policies) {
      names.push_back(name);
    }
    diagnostics_.error(file.policy_location,
                       "policy '" + file.policy +
                           "' is not defined; add policies/" + file.policy +
                           ".yaml or use one of " + model::join_list(names));
    return nullptr;
  }

  void check_secondaries(const model::ZoneFile& file,
                         const LoadedTenant& tenant) {
    for (const model::Reference& ref : file.secondaries) {
      bool known = std::any_of(
          tenant.secondaries.begin(), tenant.secondaries.end(),
          [&ref](const model::Secondary& s) { return s.name == ref.name; });
      if (known) {
        continue;
      }
      std::vector<std::string> names;
      for (const model::Secondary& s : tenant.secondaries) {
        names.push_back(s.name);
      }
      diagnostics_.error(
          ref.location,
          "secondary '" + ref.name + "' is not defined in secondaries.yaml" +
              (names.empty()
                   ? "; add it there"
                   : "; defined secondaries are " + model::join_list(names)));
    }
  }

  void check_file_name(const model::ZoneFile& file, const std::string& name,
                       const Name& origin) {
    if (file_name_matches(name, origin)) {
      return;
    }
    std::string expected = origin.is_root() ? "root" : origin.text();
    if (expected.size() > 1 && expected.back() == '.') {
      expected.pop_back();
    }
    diagnostics_.error(file.zone_location,
                       "zone " + origin.text() + " is in zones/" + name +
                           ", but a zone file must be named after its zone; "
                           "rename the file to zones/" +
                           expected + ".yaml or fix 'zone:'");
  }

  void check_allowed(const model::ZoneFile& file, const Name& origin) {
    if (allowed_zones_ == nullptr) {
      return;
    }
    for (const std::string& allowed : *allowed_zones_) {
      std::optional<Name> name = Name::parse(allowed);
      if (name && *name == origin) {
        return;
      }
    }
    diagnostics_.error(
        file.zone_location,
        "zone " + origin.text() + " is not allowed for this tenant; " +
            (allowed_zones_->empty()
                 ? std::string("the operator allowed no zones")
                 : "allowed zones are " + model::join_list(*allowed_zones_)));
  }

  const model::FileSource& source_;
  model::Diagnostics& diagnostics_;
  const std::vector<std::string>* allowed_zones_;
  LoadCache* cache_;
};

}  // namespace

const CachedZoneFile* LoadCache::find(const std::string& path) const {
  auto it = files_.find(path);
  return it != files_.end() ? &it->second : nullptr;
}

CachedZoneFile* LoadCache::find(const std::string& path) {
  auto it = files_.find(path);
  return it != files_.end() ? &it->second : nullptr;
}

void LoadCache::store(const std::string& path, CachedZoneFile entry) {
  files_.insert_or_assign(path, std::move(entry));
}

void LoadCache::erase(const std::string& path) {
  files_.erase(path);
}

void LoadCache::keep_only(const std::set<std::string>& paths) {
  for (auto it = files_.begin(); it != files_.end();) {
    it = paths.count(it->first) != 0 ? std::next(it) : files_.erase(it);
  }
}

LoadedTenant load_tenant(const model::FileSource& source,
                         model::Diagnostics& diagnostics,
                         const std::vector<std::string>* allowed_zones,
                         LoadCache* cache) {
  if (cache != nullptr) {
    cache->mutable_stats() = LoadCache::Stats{};
  }
  return TenantLoader(source, diagnostics, allowed_zones, cache).load();
}

LoadedTenant load_tenant(const model::FileSource& source,
                         model::Diagnostics& diagnostics,
                         const model::Tenant& tenant, LoadCache* cache) {
  LoadedTenant loaded =
      load_tenant(source, diagnostics, &tenant.allowed_zones, cache);
  for (const model::Secondary& secondary : loaded.secondaries) {
    if (secondary.tsig_key_name.empty()) {
      continue;
    }
    bool known = std::any_of(tenant.tsig_keys.begin(), tenant.tsig_keys.end(),
                             [&secondary](const model::TsigKeyRef& key) {
                               return key.name == secondary.tsig_key_name;
                             });
    if (!known) {
      std::vector<std::string> names;
      for (const model::TsigKeyRef& key : tenant.tsig_keys) {
        names.push_back(key.name);
      }
      diagnostics.error(secondary.location,
                        "secondary '" + secondary.name + "' uses TSIG key '" +
                            secondary.tsig_key_name +
                            "', which the operator has not "
                            "configured for tenant '" +
                            tenant.name + "'" +
                            (names.empty() ? ""
                                           : "; configured keys are " +
                                                 model::join_list(names)));
    }
  }
  return loaded;
}

std::optional<LoadedZone> load_zone_yaml(const std::string& path,
                                         const std::string& text,
                                         model::Diagnostics& diagnostics,
                                         const model::Policy* policy) {
  std::optional<model::ZoneFile> parsed =
      model::parse_zone_file(path, text, diagnostics);
  if (!parsed) {
    return std::nullopt;
  }
  model::Policy fallback = model::default_policy();
  RecordLocations locations;
  std::optional<Zone> zone =
      build_zone(*parsed, policy ? *policy : fallback, diagnostics, &locations);
  if (!zone) {
    return std::nullopt;
  }
  check_zone(*zone, locations.source_map(), diagnostics);
  return LoadedZone{std::make_shared<model::ZoneFile>(std::move(*parsed)),
                    std::move(*zone),
                    std::make_shared<RecordLocations>(std::move(locations))};
}

}  // namespace signet::zone
