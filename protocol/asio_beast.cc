// The one translation unit that compiles Boost.Asio's and Boost.Beast's implementation
// (with BOOST_ASIO_SEPARATE_COMPILATION / BOOST_BEAST_SEPARATE_COMPILATION set for every user),
// including Asio's OpenSSL support for HTTPS clients and the mock's TLS listener.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
