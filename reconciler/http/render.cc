#include "http/render.h"

#include <ctime>
#include <nlohmann/json.hpp>
#include <sstream>

namespace signet::http {

namespace {

// "2026-12-04T17:03:32Z", or "-" for 0.
std::string iso_time(UnixTime time) {
  return format_utc(time, "%Y-%m-%dT%H:%M:%SZ");
}

std::string labels(const std::string& tenant, const std::string& zone) {
  return "{tenant=\"" + label_escape(tenant) + "\",zone=\"" +
         label_escape(zone) + "\"}";
}

// Writes one metric family: its HELP and TYPE lines, then each sample
// produced by `samples`.
template <typename Fn>
void family(std::ostringstream& out, const char* name, const char* type,
            const char* help, const StatusSnapshot& status, Fn samples) {
  out << "# HELP " << name << " " << help << "\n";
  out << "# TYPE " << name << " " << type << "\n";
  for (const TenantStatus& tenant : status.tenants) {
    samples(tenant);
  }
}

template <typename Value>
void zone_samples(std::ostringstream& out, const std::string& name,
                  const TenantStatus& tenant, Value value) {
  for (const ZoneStatus& zone : tenant.zones) {
    out << name << labels(tenant.name, zone.name) << " " << value(zone) << "\n";
  }
}

std::string secondary_cell(const ZoneStatus& zone) {
  if (zone.secondaries.empty()) {
    return "-";
  }
  std::string out;
  for (const SecondaryStatus& s : zone.secondaries) {
    out += "<span class=\"" + std::string(s.in_sync ? "ok" : "bad") + "\">" +
           html_escape(s.name) + (s.in_sync ? " in sync" : " behind") +
           "</span><br>";
  }
  return out;
}

std::string zone_row(const ZoneStatus& zone) {
  std::string serial = zone.serial ? std::to_string(*zone.serial) : "-";
  std::string rejection = "-";
  if (!zone.last_rejection.empty()) {
    rejection = "<span class=\"bad\">" +
                html_escape(zone.last_rejected_commit.substr(0, 12)) + " at " +
                iso_time(zone.last_rejection_time) + ": " +
                html_escape(zone.last_rejection) + "</span>";
  }
  return "<tr><td>" + html_escape(zone.name) + "</td><td>" + serial +
         "</td><td><code>" + html_escape(zone.commit.substr(0, 12)) +
         "</code></td><td>" + iso_time(zone.publish_time) + "</td><td>" +
         iso_time(zone.signature_expiry) + "</td><td>" + rejection +
         "</td><td>" + secondary_cell(zone) + "</td></tr>\n";
}

}  // namespace

std::string html_escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

std::string label_escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string render_metrics(const StatusSnapshot& status) {
  std::ostringstream out;
  family(out, "signet_tenant_loaded", "gauge",
         "1 once the tenant's repository was loaded or failed.", status,
         [&](const TenantStatus& t) {
           out << "signet_tenant_loaded{tenant=\"" << label_escape(t.name)
               << "\"} " << (t.loaded ? 1 : 0) << "\n";
         });
  family(out, "signet_publishes_total", "counter",
         "Versions published since the process started.", status,
         [&](const TenantStatus& t) {
           zone_samples(out, "signet_publishes_total", t,
                        [](const ZoneStatus& z) { return z.publishes_total; });
         });
  family(out, "signet_rejections_total", "counter",
         "Commits rejected since the process started; zone=\"\" counts "
         "rejections of the whole tenant.",
         status, [&](const TenantStatus& t) {
           out << "signet_rejections_total" << labels(t.name, "") << " "
               << t.rejections_total << "\n";
           zone_samples(out, "signet_rejections_total", t,
                        [](const ZoneStatus& z) { return z.rejections_total; });
         });
  family(out, "signet_sign_duration_seconds", "summary",
         "Time spent signing each zone.", status, [&](const TenantStatus& t) {
           zone_samples(out, "signet_sign_duration_seconds_sum", t,
                        [](const ZoneStatus& z) { return z.sign_seconds_sum; });
           zone_samples(out, "signet_sign_duration_seconds_count", t,
                        [](const ZoneStatus& z) { return z.sign_count; });
         });
  family(out, "signet_zone_serial", "gauge",
         "SOA serial of the published version.", status,
         [&](const TenantStatus& t) {
           for (const ZoneStatus& z : t.zones) {
             if (z.serial) {
               out << "signet_zone_serial" << labels(t.name, z.name) << " "
                   << *z.serial << "\n";
             }
           }
         });
  family(out, "signet_signature_expiry_timestamp_seconds", "gauge",
         "Earliest RRSIG expiration in the published version, Unix time.",
         status, [&](const TenantStatus& t) {
           for (const ZoneStatus& z : t.zones) {
             if (z.signature_expiry != 0) {
               out << "signet_signature_expiry_timestamp_seconds"
                   << labels(t.name, z.name) << " " << z.signature_expiry
                   << "\n";
             }
           }
         });
  family(out, "signet_secondary_in_sync", "gauge",
         "1 when the secondary serves the published serial.", status,
         [&](const TenantStatus& t) {
           for (const ZoneStatus& z : t.zones) {
             for (const SecondaryStatus& s : z.secondaries) {
               out << "signet_secondary_in_sync{tenant=\""
                   << label_escape(t.name) << "\",zone=\""
                   << label_escape(z.name) << "\",secondary=\""
                   << label_escape(s.name) << "\"} " << (s.in_sync ? 1 : 0)
                   << "\n";
             }
           }
         });
  return out.str();
}

std::string render_status_html(const StatusSnapshot& status) {
  std::string out =
      "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
      "<title>Signet status</title><style>"
      "body{font-family:sans-serif;margin:2em}"
      "table{border-collapse:collapse;margin-bottom:2em}"
      "td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}"
      ".ok{color:#070}.bad{color:#b00}</style></head><body>\n"
      "<h1>Signet status</h1>\n<p>As of " +
      iso_time(status.now) + "</p>\n";
  for (const TenantStatus& tenant : status.tenants) {
    out += "<h2>Tenant " + html_escape(tenant.name) + "</h2>\n";
    if (!tenant.loaded) {
      out += "<p>Loading.</p>\n";
    }
    if (!tenant.last_error.empty()) {
      out += "<p class=\"bad\">" + html_escape(tenant.last_error) + "</p>\n";
    }
    out +=
        "<table><tr><th>Zone</th><th>Serial</th><th>Commit</th>"
        "<th>Published</th><th>Signatures expire</th>"
        "<th>Last rejection</th><th>Secondaries</th></tr>\n";
    for (const ZoneStatus& zone : tenant.zones) {
      out += zone_row(zone);
    }
    out += "</table>\n";
  }
  out += "</body></html>\n";
  return out;
}

std::string render_status_json(const StatusSnapshot& status) {
  nlohmann::json tenants = nlohmann::json::array();
  for (const TenantStatus& tenant : status.tenants) {
    nlohmann::json zones = nlohmann::json::array();
    for (const ZoneStatus& zone : tenant.zones) {
      nlohmann::json secondaries = nlohmann::json::array();
      for (const SecondaryStatus& s : zone.secondaries) {
        secondaries.push_back(
            {{"name", s.name},
             {"serial_served", s.serial_served
                                   ? nlohmann::json(*s.serial_served)
                                   : nlohmann::json()},
             {"in_sync", s.in_sync}});
      }
      zones.push_back({{"zone", zone.name},
                       {"serial", zone.serial ? nlohmann::json(*zone.serial)
                                              : nlohmann::json()},
                       {"commit", zone.commit},
                       {"publish_time", zone.publish_time},
                       {"signature_expiry", zone.signature_expiry},
                       {"last_rejected_commit", zone.last_rejected_commit},
                       {"last_rejection", zone.last_rejection},
                       {"last_rejection_time", zone.last_rejection_time},
                       {"publishes_total", zone.publishes_total},
                       {"rejections_total", zone.rejections_total},
                       {"secondaries", secondaries}});
    }
    tenants.push_back({{"tenant", tenant.name},
                       {"loaded", tenant.loaded},
                       {"last_error", tenant.last_error},
                       {"zones", zones}});
  }
  nlohmann::json doc = {{"now", status.now}, {"tenants", tenants}};
  // Replace invalid UTF-8 from commit messages instead of throwing.
  return doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) +
         "\n";
}

}  // namespace signet::http
