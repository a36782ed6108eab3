// A next-generation library script: other scripts use it with require('Greetings').
function greet(name) {
  return `Hello, ${name}!`
}

exports.greet = greet
