// Integration tests: the real `nks` binary on temporary data directories.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "nks_runner.h"

namespace {

namespace fs = std::filesystem;

using nks::testing::Quote;
using nks::testing::RunResult;
using nks::testing::Slurp;

class NksCli : public nks::testing::NksTest {
 protected:
  // A small world: two persons, one company with an SE unit.
  void SmallWorld() {
    ASSERT_EQ(Nks({"init"}).code, 0);
    Write("cpr.csv",
          "cpr,name,address,postcode,city,status\n"
          "0102851237,Anne Hansen,\"Vestergade 12, 2. th.\",8000,Aarhus C,active\n"
          "1503721118,Bo Østergård,Søndergade 3,5000,Odense C,active\n");
    Write("cvr.csv",
          "cvr,name,address,postcode,city,status\n"
          "80000006,Nordlys A/S,Havnevej 1,9000,Aalborg,active\n");
    Write("units.csv", "type,number,cvr\nse,90000004,80000006\np,9000000001,80000006\n");
    Write("nemkonti.csv",
          "id_type,id,account,bank\n"
          "cpr,0102851237,1551-0000123456,1551\n"
          "cvr,80000006,3001-0009876543,3001\n");
    for (std::string f : {"cpr", "cvr", "units", "nemkonti"}) {
      RunResult r = Nks({"import", f, Path(f + ".csv")});
      ASSERT_EQ(r.code, 0) << f << ": " << r.err;
    }
  }
};

TEST_F(NksCli, HelpOnEveryCommand) {
  for (std::vector<std::string> cmd :
       {std::vector<std::string>{"--help"}, {"init", "--help"}, {"import", "--help"},
        {"nemkonto", "show", "--help"}, {"nemkonto", "set", "--help"},
        {"nemkonto", "delete", "--help"}, {"nemkonto", "activate", "--help"},
        {"specific", "set", "--help"}, {"specific", "delete", "--help"},
        {"specific", "list", "--help"}, {"control-list", "--help"}, {"gen", "population", "--help"},
        {"resolve", "--help"}, {"stats", "--help"}, {"config", "apply", "--help"},
        {"config", "show", "--help"}}) {
    RunResult r = Nks(cmd);
    EXPECT_EQ(r.code, 0) << cmd[0];
    EXPECT_NE(r.out.find("Usage"), std::string::npos) << cmd[0];
  }
}

TEST_F(NksCli, CommandsRefuseAnUninitialisedDataDirectory) {
  RunResult r = Nks({"nemkonto", "show", "cpr:010285-1237"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("init' first"), std::string::npos) << r.err;
}

TEST_F(NksCli, GeneratedPopulationImportsAndResolves) {
  ASSERT_EQ(Nks({"init"}).code, 0);
  RunResult g = Nks({"gen", "population", "--persons", "2000", "--companies", "100", "--seed", "7",
                     "--out", Path("pop")});
  ASSERT_EQ(g.code, 0) << g.err;
  for (std::string f : {"cpr", "cvr", "units", "nemkonti"}) {
    RunResult r = Nks({"import", f, Path("pop/" + f + ".csv")});
    ASSERT_EQ(r.code, 0) << f << ": " << r.err;
  }
  RunResult s = Nks({"stats"});
  ASSERT_EQ(s.code, 0) << s.err;
  EXPECT_NE(s.out.find("persons:   2000"), std::string::npos) << s.out;
  EXPECT_NE(s.out.find("companies: 100"), std::string::npos) << s.out;

  // Re-importing the same files changes nothing.
  RunResult again = Nks({"import", "nemkonti", Path("pop/nemkonti.csv")});
  ASSERT_EQ(again.code, 0) << again.err;
  EXPECT_NE(again.out.find(" 0 new or changed"), std::string::npos) << again.out;

  std::string line = Slurp(dir_ / "pop/nemkonti.csv");
  line = line.substr(line.find('\n') + 1);
  line = line.substr(0, line.find('\n'));  // id_type,id,account,bank
  std::string type = line.substr(0, line.find(','));
  std::string rest = line.substr(line.find(',') + 1);
  std::string id = rest.substr(0, rest.find(','));
  std::string account = rest.substr(rest.find(',') + 1);
  account = account.substr(0, account.find(','));
  RunResult r = Nks({"resolve", type + ":" + id, "--authority", "1", "--benefit", "x"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find(account), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("(nemkonto)"), std::string::npos) << r.out;
}

TEST_F(NksCli, BadFileIsRejectedWholeWithEveryBadLine) {
  ASSERT_EQ(Nks({"init"}).code, 0);
  Write("cpr.csv",
        "cpr,name,address,postcode,city,status\n"
        "0102851237,Anne Hansen,Vestergade 12,8000,Aarhus C,active\n"
        "3202851237,Bad Date,Vestergade 12,8000,Aarhus C,active\n"
        "1503721118,Bo Hansen,Søndergade 3,50000,Odense C,active\n"
        "1503721126,Carl Hansen,Søndergade 3,5000,Odense C,sleeping\n"
        "0102851237,Anne Again,Vestergade 12,8000,Aarhus C,active\n");
  RunResult r = Nks({"import", "cpr", Path("cpr.csv")});
  EXPECT_EQ(r.code, 1);
  std::string f = Path("cpr.csv");
  EXPECT_NE(r.err.find(f + ":3: cpr:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(f + ":4: postcode:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(f + ":5: status:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(f + ":6: id: appears more than once"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("nothing was imported"), std::string::npos);
  // No CPR number appears unmasked in the errors.
  EXPECT_EQ(r.err.find("3202851237"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("1237"), std::string::npos) << r.err;
  RunResult s = Nks({"stats"});
  EXPECT_NE(s.out.find("persons:   0"), std::string::npos) << s.out;
}

TEST_F(NksCli, ImportKilledHalfWayLeavesTheStoreAsBefore) {
  ASSERT_EQ(Nks({"gen", "population", "--persons", "1000000", "--companies", "10", "--seed", "3",
                 "--out", Path("pop")})
                .code,
            0);
  // An import of 1M persons takes 1-3 s here: kills at 50-800 ms land
  // inside it (checking, writing or committing).
  std::mt19937 rng(42);
  int killed = 0;
  const std::string base = data_;
  for (int attempt = 0; attempt < 3; ++attempt) {
    data_ = base + std::to_string(attempt);
    ASSERT_EQ(Nks({"init"}).code, 0);
    std::vector<std::string> args = {NKS_BINARY, "--data", data_};
    for (const auto& a : DbArgs(data_)) args.push_back(a);
    for (std::string a : {std::string("import"), std::string("cpr"), Path("pop/cpr.csv")}) args.push_back(a);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = fork();
    if (pid == 0) {
      execv(NKS_BINARY, argv.data());
      _exit(127);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50 + rng() % 750));
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    if (WIFSIGNALED(status)) ++killed;
    RunResult s = Nks({"stats"});
    ASSERT_EQ(s.code, 0) << s.err;
    // All or nothing: never a part of the file.
    bool none = s.out.find("persons:   0\n") != std::string::npos;
    bool all = s.out.find("persons:   1000000\n") != std::string::npos;
    EXPECT_TRUE(none || all) << s.out;
    // And the store still takes the whole file afterwards.
    RunResult r = Nks({"import", "cpr", Path("pop/cpr.csv")});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(Nks({"stats"}).out.find("persons:   1000000\n"), std::string::npos);
  }
  EXPECT_GT(killed, 0);
}

TEST_F(NksCli, DeltaFileUpdatesAndAdds) {
  SmallWorld();
  Write("delta.csv",
        "cpr,name,address,postcode,city,status\n"
        "0102851237,Anne Hansen,,,,dead\n"
        "1503721118,Bo Østergård,Søndergade 3,5000,Odense C,active\n"
        "2011990012,Dina Nørgaard,Torvet 1,7100,Vejle,active\n");
  RunResult r = Nks({"import", "cpr", Path("delta.csv")});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("3 records, 2 new or changed, 1 unchanged"), std::string::npos) << r.out;
  RunResult show = Nks({"nemkonto", "show", "cpr:010285-1237"});
  EXPECT_NE(show.out.find("status:    dead"), std::string::npos) << show.out;
  EXPECT_NE(show.out.find("cpr:010285-XXXX"), std::string::npos) << show.out;
  EXPECT_EQ(show.out.find("0102851237"), std::string::npos);
}

TEST_F(NksCli, CitizenChangesAndDeletesOwnNemKontoButCompaniesOnlyView) {
  SmallWorld();
  RunResult set = Nks({"nemkonto", "set", "cpr:150372-1118", "5470-0001112223"});
  ASSERT_EQ(set.code, 0) << set.err;
  EXPECT_NE(set.out.find("is active"), std::string::npos);
  RunResult res = Nks({"resolve", "cpr:150372-1118", "--authority", "5", "--benefit", "x"});
  EXPECT_NE(res.out.find("5470-0001112223 (nemkonto)"), std::string::npos) << res.out;
  ASSERT_EQ(Nks({"nemkonto", "delete", "cpr:150372-1118"}).code, 0);
  res = Nks({"resolve", "cpr:150372-1118", "--authority", "5", "--benefit", "x"});
  EXPECT_NE(res.out.find("(unresolved)"), std::string::npos) << res.out;
  // Both changes are in the audit log, CPR masked, and the chain holds.
  RunResult audit = Nks({"audit", "show"});
  EXPECT_EQ(audit.code, 0) << audit.err;
  EXPECT_EQ(audit.out.find("1503721118"), std::string::npos) << audit.out;
  const std::string entry = "Z\tcli:operator\tregister change\tcpr:150372-XXXX\tcommitted\n";
  size_t first = audit.out.find(entry);
  EXPECT_NE(first, std::string::npos) << audit.out;
  EXPECT_NE(audit.out.find(entry, first + 1), std::string::npos) << "set and delete: " << audit.out;
  EXPECT_EQ(Nks({"audit", "verify"}).code, 0);

  RunResult company = Nks({"nemkonto", "set", "cvr:80000006", "5470-0001112223"});
  EXPECT_EQ(company.code, 1);
  EXPECT_NE(company.err.find("companies can only view"), std::string::npos) << company.err;
  RunResult view = Nks({"nemkonto", "show", "cvr:80000006"});
  EXPECT_NE(view.out.find("3001-0009876543"), std::string::npos) << view.out;

  // SE unit without its own NemKonto falls back to the company's.
  res = Nks({"resolve", "se:90000004", "--authority", "5", "--benefit", "x"});
  EXPECT_NE(res.out.find("3001-0009876543 (company-nemkonto)"), std::string::npos) << res.out;
  RunResult history = Nks({"nemkonto", "show", "cpr:150372-1118"});
  EXPECT_NE(history.out.find("deleted"), std::string::npos) << history.out;
  EXPECT_NE(history.out.find("5470-0001112223 -> -"), std::string::npos) << history.out;
}

TEST_F(NksCli, AuthorityReportStaysPendingUntilTheCodeFromTheLetter) {
  SmallWorld();
  const std::string t0 = "2026-11-02T10:00:00+01:00";
  RunResult missing_ref = Nks({"nemkonto", "set", "cpr:010285-1237", "9570-0000555666", "--channel",
                               "authority", "--authority", "12345678", "--user", "cw1"}, t0);
  EXPECT_EQ(missing_ref.code, 1);
  EXPECT_NE(missing_ref.err.find("reference"), std::string::npos);

  RunResult set = Nks({"nemkonto", "set", "cpr:010285-1237", "9570-0000555666", "--channel",
                       "authority", "--authority", "12345678", "--user", "cw1", "--reference",
                       "DOC-2026-17"}, t0);
  ASSERT_EQ(set.code, 0) << set.err;
  EXPECT_NE(set.out.find("pending activation"), std::string::npos) << set.out;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(set.out, m, std::regex("activation letter: (\\S+\\.pdf)")));
  std::string letter = m[1];
  ASSERT_TRUE(fs::exists(letter));
  // Payouts still go to the old account.
  RunResult res = Nks({"resolve", "cpr:010285-1237", "--authority", "5", "--benefit", "x"}, t0);
  EXPECT_NE(res.out.find("1551-0000123456"), std::string::npos) << res.out;

  std::string text_file = Path("letter.txt");
  ASSERT_EQ(std::system(("pdftotext " + Quote(letter) + " " + Quote(text_file)).c_str()), 0);
  std::string text = Slurp(text_file);
  EXPECT_NE(text.find("Anne Hansen"), std::string::npos) << text;
  EXPECT_NE(text.find("Vestergade 12, 2. th."), std::string::npos) << text;
  EXPECT_NE(text.find("Pengene vil blive udbetalt til din NemKonto"), std::string::npos) << text;
  ASSERT_TRUE(std::regex_search(text, m, std::regex("aktiveringskode er: (\\d{4}) (\\d{4})")));
  std::string code = std::string(m[1]) + std::string(m[2]);

  std::string wrong = code == "00000000" ? "11111111" : "00000000";
  RunResult bad = Nks({"nemkonto", "activate", "cpr:010285-1237", wrong}, t0);
  EXPECT_EQ(bad.code, 1);
  EXPECT_NE(bad.err.find("4 attempts left"), std::string::npos) << bad.err;

  // After 30 days the code is void.
  RunResult late = Nks({"nemkonto", "activate", "cpr:010285-1237", code}, "2026-12-03T10:00:00+01:00");
  EXPECT_EQ(late.code, 1);
  EXPECT_NE(late.err.find("expired"), std::string::npos) << late.err;

  RunResult ok = Nks({"nemkonto", "activate", "cpr:010285-1237", code}, "2026-11-05T10:00:00+01:00");
  ASSERT_EQ(ok.code, 0) << ok.err;
  res = Nks({"resolve", "cpr:010285-1237", "--authority", "5", "--benefit", "x"});
  EXPECT_NE(res.out.find("9570-0000555666 (nemkonto)"), std::string::npos) << res.out;
  RunResult again = Nks({"nemkonto", "activate", "cpr:010285-1237", code});
  EXPECT_EQ(again.code, 1);
  EXPECT_NE(again.err.find("no NemKonto is waiting"), std::string::npos) << again.err;
}

TEST_F(NksCli, LockedSpecificAccountCannotBeChangedByTheCitizen) {
  SmallWorld();
  RunResult set = Nks({"specific", "set", "cpr:010285-1237", "--authority", "12345678", "--benefit",
                       "kapitalpension", "--account", "9570-0000777888", "--locked", "--user", "cw1",
                       "--reference", "DOC-9"});
  ASSERT_EQ(set.code, 0) << set.err;
  RunResult res = Nks({"resolve", "cpr:010285-1237", "--authority", "12345678", "--benefit",
                       "kapitalpension"});
  EXPECT_NE(res.out.find("9570-0000777888 (specific-account)"), std::string::npos) << res.out;
  res = Nks({"resolve", "cpr:010285-1237", "--authority", "12345678", "--benefit", "boligstoette"});
  EXPECT_NE(res.out.find("1551-0000123456 (nemkonto)"), std::string::npos) << res.out;
  res = Nks({"resolve", "cpr:010285-1237", "--authority", "999", "--benefit", "kapitalpension"});
  EXPECT_NE(res.out.find("(nemkonto)"), std::string::npos) << res.out;

  RunResult change = Nks({"specific", "set", "cpr:010285-1237", "--authority", "12345678",
                          "--benefit", "kapitalpension", "--account", "1551-0000000001",
                          "--channel", "citizen"});
  EXPECT_EQ(change.code, 1);
  EXPECT_NE(change.err.find("locked"), std::string::npos) << change.err;
  RunResult del = Nks({"specific", "delete", "cpr:010285-1237", "--authority", "12345678",
                       "--benefit", "kapitalpension", "--channel", "citizen"});
  EXPECT_EQ(del.code, 1);
  RunResult create = Nks({"specific", "set", "cpr:010285-1237", "--authority", "12345678",
                          "--benefit", "other", "--account", "1551-0000000001", "--channel",
                          "citizen"});
  EXPECT_EQ(create.code, 1);
  EXPECT_NE(create.err.find("only an authority"), std::string::npos) << create.err;
}

TEST_F(NksCli, TimeLimitedSpecificAccountEndsAfterItsLastDay) {
  SmallWorld();
  const std::string t0 = "2026-11-02T10:00:00+01:00";
  ASSERT_EQ(Nks({"specific", "set", "cpr:010285-1237", "--authority", "7", "--benefit", "hjaelp",
                 "--account", "9570-0000777888", "--until", "2026-11-10", "--user", "cw1",
                 "--reference", "DOC-1"}, t0)
                .code,
            0);
  RunResult unlocked = Nks({"specific", "set", "cpr:010285-1237", "--authority", "7", "--benefit",
                            "hjaelp", "--account", "1551-0000000009", "--channel", "citizen"}, t0);
  EXPECT_EQ(unlocked.code, 0) << unlocked.err;
  RunResult in = Nks({"resolve", "cpr:010285-1237", "--authority", "7", "--benefit", "hjaelp",
                      "--date", "2026-11-10"}, t0);
  EXPECT_NE(in.out.find("1551-0000000009 (specific-account)"), std::string::npos) << in.out;
  RunResult after = Nks({"resolve", "cpr:010285-1237", "--authority", "7", "--benefit", "hjaelp",
                         "--date", "2026-11-11"}, t0);
  EXPECT_NE(after.out.find("1551-0000123456 (nemkonto)"), std::string::npos) << after.out;
  RunResult list = Nks({"specific", "list", "cpr:010285-1237"}, "2026-11-20T10:00:00+01:00");
  EXPECT_NE(list.out.find("EXPIRED"), std::string::npos) << list.out;
}

TEST_F(NksCli, ControlListHasTheAuthoritysChangesOfTheMonth) {
  SmallWorld();
  auto auth = [&](const std::string& authority, const std::string& user, const std::string& when,
                  const std::string& account) {
    return Nks({"nemkonto", "set", "cpr:150372-1118", account, "--channel", "authority",
                "--authority", authority, "--user", user, "--reference", "REF-" + user},
               when);
  };
  ASSERT_EQ(auth("100", "anna", "2026-10-31T23:30:00+01:00", "1551-0000000001").code, 0);
  ASSERT_EQ(auth("100", "bent", "2026-11-01T00:30:00+01:00", "1551-0000000002").code, 0);
  ASSERT_EQ(auth("200", "carl", "2026-11-15T12:00:00+01:00", "1551-0000000003").code, 0);
  ASSERT_EQ(Nks({"specific", "set", "cpr:150372-1118", "--authority", "100", "--benefit", "b1",
                 "--account", "1551-0000000004", "--user", "dora", "--reference", "REF-dora"},
                "2026-11-30T23:59:00+01:00")
                .code,
            0);
  RunResult r = Nks({"control-list", "--authority", "100", "--month", "2026-11", "--out",
                     Path("cl.csv")});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("2 changes"), std::string::npos) << r.out;
  std::string csv = Slurp(dir_ / "cl.csv");
  EXPECT_NE(csv.find("bent"), std::string::npos) << csv;
  EXPECT_NE(csv.find("dora"), std::string::npos) << csv;
  EXPECT_EQ(csv.find("anna"), std::string::npos) << csv;  // October
  EXPECT_EQ(csv.find("carl"), std::string::npos) << csv;  // another authority
  EXPECT_NE(csv.find("cpr:150372-XXXX"), std::string::npos) << csv;
  EXPECT_EQ(csv.find("1503721118"), std::string::npos) << csv;
  EXPECT_LT(csv.find("bent"), csv.find("dora"));
}

TEST_F(NksCli, ConfigIsAppliedOnceAndABadFileIsRefusedWhole) {
  ASSERT_EQ(Nks({"init"}).code, 0);
  ASSERT_EQ(Nks({"gen", "population", "--persons", "100", "--companies", "10", "--out", Path("pop")}).code, 0);
  RunResult first = Nks({"config", "apply", Path("pop/config.nks"), "--user", "admin1"});
  ASSERT_EQ(first.code, 0) << first.err;
  EXPECT_NE(first.out.find("created authority 12345678"), std::string::npos) << first.out;
  RunResult again = Nks({"config", "apply", Path("pop/config.nks")});
  ASSERT_EQ(again.code, 0) << again.err;
  EXPECT_NE(again.out.find(" 0 created, 0 changed,"), std::string::npos) << again.out;

  Write("bad.nks",
        "authority nks=12345678 name=\"Demo Kommune\" type=municipality policy=CHEQUE\n"
        "benefit authority=12345678 code=\"bad code\" name=X\n"
        "connection system=SERVICEPLATFORM authority=12345678 state=requested\n");
  RunResult bad = Nks({"config", "apply", Path("bad.nks")});
  EXPECT_EQ(bad.code, 1);
  EXPECT_NE(bad.err.find(Path("bad.nks") + ":2: benefit: code:"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("nothing was applied"), std::string::npos) << bad.err;
  Write("back.nks", "connection system=SERVICEPLATFORM authority=12345678 state=requested\n");
  RunResult back = Nks({"config", "apply", Path("back.nks")});
  EXPECT_EQ(back.code, 1);
  EXPECT_NE(back.err.find(Path("back.nks") + ":1: connection: state: cannot go back"), std::string::npos) << back.err;
  RunResult show = Nks({"config", "show"});
  EXPECT_NE(show.out.find("policy=RETURN"), std::string::npos) << show.out;  // unchanged
  EXPECT_NE(show.out.find("state=active"), std::string::npos) << show.out;
}

TEST_F(NksCli, ErrorsNeverShowACprNumber) {
  SmallWorld();
  RunResult r = Nks({"nemkonto", "show", "cpr:311299-4321"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err.find("4321"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("311299-XXXX"), std::string::npos) << r.err;
  r = Nks({"nemkonto", "set", "cpr:010285-1237", "1551-12"});
  EXPECT_EQ(r.code, 0) << r.err;  // short account numbers are left-padded
  r = Nks({"nemkonto", "set", "cpr:010285-1237", "15x1-12"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("account"), std::string::npos) << r.err;
}

}  // namespace
