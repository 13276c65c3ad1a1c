#include "store/duckdb/work_session.h"

#include "store/duckdb/entry_changes.h"

namespace cnake {

Result<std::unique_ptr<WorkSession>> DuckDbWorkSession::Open(
    db::Connection conn, const TableNames& tables, const std::string& batch_id,
    LocalRunners::Registration registration) {
  CNAKE_ASSIGN_OR_RETURN(const bool bytewise, IdsCompareBytewise(conn, tables));
  return std::unique_ptr<WorkSession>(
      new DuckDbWorkSession(std::move(conn), tables, batch_id, bytewise, std::move(registration)));
}

DuckDbWorkSession::DuckDbWorkSession(db::Connection conn, TableNames tables, std::string batch_id,
                                     bool bytewise_ids, LocalRunners::Registration registration)
    : conn_(std::move(conn)),
      tables_(std::move(tables)),
      batch_id_(std::move(batch_id)),
      bytewise_ids_(bytewise_ids),
      registration_(std::move(registration)) {}

Result<std::vector<Entry>> DuckDbWorkSession::Lease(std::size_t limit) {
  return LoadUnfinished(conn_, tables_, batch_id_, cursor_, limit);
}

Status DuckDbWorkSession::Commit(const WriteGroup& group) {
  return CommitGroup(conn_, tables_, batch_id_, group, bytewise_ids_);
}

Result<BatchCounts> DuckDbWorkSession::Counts() { return CountBatchSql(conn_, tables_, batch_id_); }

}  // namespace cnake
