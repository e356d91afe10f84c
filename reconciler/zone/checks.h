// Semantic checks of a zone's contents (RFC 1034, 1035, 2181, 4592, 6672).
#pragma once

#include <functional>
#include <vector>

#include "model/diagnostic.h"
#include "zone/name.h"
#include "zone/rrset.h"
#include "zone/zone.h"

namespace signet::zone {

// Maps an RRset to where it was written, so a problem is reported at the
// record that causes it. Returns an empty Location when unknown.
using SourceMap =
    std::function<model::Location(const Name& owner, RrType type)>;

// Checks a finalized, unsigned zone and appends every problem found to
// `out`, each at the Location that `where` gives for the offending RRset:
// SOA exactly once and only at the apex, apex NS present, CNAME alone at
// its name and never at the apex, DNAME rules, nothing below a DNAME or a
// delegation but glue, glue present for in-bailiwick name servers,
// out-of-zone records, wildcard rules. MX, SRV and NS targets that are
// CNAMEs in the zone are warnings. Messages cite the RFC they enforce.
void check_zone(const Zone& zone, const SourceMap& where,
                model::Diagnostics& out);

// Reports what Zone::finalize() merged: a TTL conflict within an RRset is
// an error (RFC 2181 section 5.2), and a duplicate record is a warning
// because RFC 2181 section 5 has servers drop duplicates anyway.
void report_merges(const Zone& zone, const std::vector<Zone::Merge>& merges,
                   const SourceMap& where, model::Diagnostics& out);

}  // namespace signet::zone
