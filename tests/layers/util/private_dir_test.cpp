#include <doctest/doctest.h>

#include <sys/stat.h>

#include "layers/util/private_dir.hpp"
#include "tests/support/tmp_dir.hpp"

using namespace bc;

TEST_CASE("ensure_private_dir creates 0700 whatever the umask and refuses a directory others can enter, naming the fix") {
  test::TmpDir tmp;
  std::string made = tmp / "a/b/state";
  mode_t old = ::umask(0);
  Status s = ensure_private_dir(made);
  ::umask(old);
  REQUIRE_MESSAGE(s.ok(), s.to_string());
  struct stat st {};
  REQUIRE(::stat(made.c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0700);
  CHECK(ensure_private_dir(made).ok());  // an existing private dir is fine

  REQUIRE(::chmod(made.c_str(), 0750) == 0);
  Status open = check_private_dir(made);
  CHECK(open.code() == Status::Code::permission_denied);
  CHECK(open.message() == "state directory '" + made + "' has mode 0750: it must be private to its owner (chmod 700 " +
                              made + ")");
  CHECK(ensure_private_dir(made).code() == Status::Code::permission_denied);  // never chmod-ed behind the operator

  CHECK(check_private_dir(tmp / "missing").code() == Status::Code::not_found);
  test::write_file(tmp / "file", "x");
  CHECK(check_private_dir(tmp / "file").code() == Status::Code::invalid_argument);
}
