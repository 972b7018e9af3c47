# Chaos histories and their checker (issue 13, items 4, 5, 7): included from
# launcher/CMakeLists.txt. ts_chaos_check is pure (parsing, WGL, lost writes,
# primaries per term); ts_chaos_recorder is the client threads of
# tschaos-history.
add_library(ts_chaos_check STATIC
  chaos/history.cpp chaos/key_history.cpp chaos/linearizability.cpp chaos/lost_writes.cpp
  chaos/primaries.cpp chaos/faults.cpp chaos/checker.cpp)
target_compile_options(ts_chaos_check PRIVATE ${TS_WARNINGS})
target_link_libraries(ts_chaos_check PUBLIC ts_common nlohmann_json::nlohmann_json)

add_library(ts_chaos_recorder STATIC chaos/op_planner.cpp chaos/history_recorder.cpp)
target_compile_options(ts_chaos_recorder PRIVATE ${TS_WARNINGS})
target_link_libraries(ts_chaos_recorder PUBLIC ts_chaos_check ts_client)

add_executable(tschaos-history chaos/tschaos_history_main.cpp)
target_compile_options(tschaos-history PRIVATE ${TS_WARNINGS})
target_link_libraries(tschaos-history PRIVATE ts_chaos_recorder CLI11::CLI11)

add_executable(tschaos-check chaos/tschaos_check_main.cpp)
target_compile_options(tschaos-check PRIVATE ${TS_WARNINGS})
target_link_libraries(tschaos-check PRIVATE ts_chaos_check CLI11::CLI11)
